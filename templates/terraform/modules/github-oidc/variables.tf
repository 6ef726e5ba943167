variable "github_repository" {
  description = "The GitHub repository (owner/repo) whose workflows may assume the roles."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "The github_repository must be owner/repo, e.g. openclaw/rating-gitops (owner: letters, digits, hyphens; repo: letters, digits, dots, underscores, hyphens)."
  }
}

variable "branch" {
  description = "Default branch: the plan role trusts repo:<owner>/<repo>:ref:refs/heads/<branch> besides pull requests."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.branch)) && !strcontains(var.branch, "*")
    error_message = "The branch must be a branch name without wildcards, e.g. main."
  }
}

variable "apply_environment" {
  description = "GitHub environment of the apply jobs: the apply role trusts repo:<owner>/<repo>:environment:<this>."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+$", var.apply_environment))
    error_message = "The apply_environment must be a GitHub environment name (letters, digits, dots, underscores, hyphens)."
  }
}

variable "drill_environment" {
  description = "GitHub environment of the failover drills: the drill role trusts repo:<owner>/<repo>:environment:<this>."
  type        = string
  default     = "production-drill"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+$", var.drill_environment))
    error_message = "The drill_environment must be a GitHub environment name (letters, digits, dots, underscores, hyphens)."
  }
}

variable "name_prefix" {
  description = "Prefix of the names of everything the stacks create (IAM roles, secrets): the apply role may manage IAM roles and secrets with this prefix only. The roles of this module are <name_prefix>-github-plan|apply|drill."
  type        = string
  default     = "openclaw-rating"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "The name_prefix must be 2 to 31 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "existing_oidc_provider_arn" {
  description = "ARN of an existing token.actions.githubusercontent.com OIDC provider of the account (there can be only one); null creates it."
  type        = string
  default     = null

  validation {
    condition     = var.existing_oidc_provider_arn == null || can(regex("^arn:[a-z-]+:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", coalesce(var.existing_oidc_provider_arn, "x")))
    error_message = "The existing_oidc_provider_arn must be null or the ARN of the token.actions.githubusercontent.com OIDC provider."
  }
}

variable "state_bucket_arn" {
  description = "ARN of the Terraform state bucket (state-backend output bucket_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:s3:::[a-z0-9.-]+$", var.state_bucket_arn))
    error_message = "The state_bucket_arn must be an S3 bucket ARN (arn:<partition>:s3:::<bucket>)."
  }
}

variable "state_key_prefix" {
  description = "Key prefix of the stacks' state objects in the bucket."
  type        = string
  default     = "rating"
}

variable "state_kms_key_arn" {
  description = "KMS key of the state objects (state-backend output kms_key_arn), or null for SSE-S3."
  type        = string
  default     = null
}

variable "allowed_regions" {
  description = "Regions the apply role may act in (global services such as IAM and Route 53 are exempt)."
  type        = list(string)
  default     = ["us-east-1", "eu-west-1"]

  validation {
    condition     = length(var.allowed_regions) >= 1 && alltrue([for r in var.allowed_regions : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", r))])
    error_message = "The allowed_regions must list AWS region names, e.g. us-east-1."
  }
}

variable "hosted_zone_ids" {
  description = "Route 53 hosted zones the apply role may change records in; empty allows every zone of the account."
  type        = list(string)
  default     = []
}

variable "apply_permissions_boundary_arn" {
  description = "Managed policy ARN set as the permissions boundary of the apply role; when set, the apply role can only create IAM roles that carry the same boundary."
  type        = string
  default     = null

  validation {
    condition     = var.apply_permissions_boundary_arn == null || can(regex("^arn:[a-z-]+:iam::([0-9]{12}|aws):policy/.+$", coalesce(var.apply_permissions_boundary_arn, "x")))
    error_message = "The apply_permissions_boundary_arn must be null or an IAM managed policy ARN."
  }
}

variable "max_session_duration" {
  description = "Maximum session duration of the three roles, in seconds (an apply with Redis can take 30 minutes or more)."
  type        = number
  default     = 7200

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "The max_session_duration must be from 3600 to 43200 seconds."
  }
}

variable "tags" {
  description = "Tags added to every resource (merged with Service)."
  type        = map(string)
  default     = {}
}
