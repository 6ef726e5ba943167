variable "region" {
  description = "Region of the state bucket and of the replication token's primary secret (the primary region)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "The region must be an AWS region name, e.g. us-east-1."
  }
}

variable "replica_regions" {
  description = "The other regions of the service: the replication token secret is replicated to each (every region reads the same token)."
  type        = list(string)
  default     = ["eu-west-1"]

  validation {
    condition     = alltrue([for r in var.replica_regions : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", r))])
    error_message = "The replica_regions must be AWS region names, e.g. eu-west-1."
  }
}

variable "state_bucket_name" {
  description = "Name of the S3 bucket for the Terraform state (globally unique), e.g. openclaw-rating-tfstate-<account id>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "The state_bucket_name must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens."
  }
}

variable "state_kms_key_arn" {
  description = "KMS key for the state objects; null uses SSE-S3."
  type        = string
  default     = null
}

variable "github_repository" {
  description = "The GitHub repository (owner/repo) whose workflows get the plan, apply and drill roles."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "The github_repository must be owner/repo, e.g. openclaw/rating-gitops."
  }
}

variable "branch" {
  description = "Default branch the plan role trusts besides pull requests."
  type        = string
  default     = "main"
}

variable "name_prefix" {
  description = "Prefix of the names of everything the stacks create; the apply role is scoped to it (the regional stacks' name_prefix)."
  type        = string
  default     = "openclaw-rating"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}$", var.name_prefix))
    error_message = "The name_prefix must be 2 to 15 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "existing_oidc_provider_arn" {
  description = "ARN of the account's token.actions.githubusercontent.com OIDC provider if it exists already; null creates it."
  type        = string
  default     = null
}

variable "hosted_zone_ids" {
  description = "Route 53 hosted zones the apply role may change; empty allows every zone."
  type        = list(string)
  default     = []
}

variable "apply_permissions_boundary_arn" {
  description = "Permissions boundary of the apply role (and of the roles it creates); null for none."
  type        = string
  default     = null
}

variable "replication_token_version" {
  description = "Version of the shared REPLICATION_TOKEN; raise it to generate a new token (then redeploy both regions)."
  type        = number
  default     = 1

  validation {
    condition     = var.replication_token_version >= 1 && floor(var.replication_token_version) == var.replication_token_version
    error_message = "The replication_token_version must be a whole number of at least 1."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
