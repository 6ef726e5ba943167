variable "bucket_name" {
  description = "Name of the S3 bucket for the Terraform state (globally unique), e.g. openclaw-rating-tfstate-<account id>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.", var.bucket_name))
    error_message = "The bucket_name must be 3 to 63 characters of lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit."
  }
}

variable "kms_key_arn" {
  description = "KMS key ARN for SSE-KMS of the state objects; null uses SSE-S3 (AES256)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$", coalesce(var.kms_key_arn, "x")))
    error_message = "The kms_key_arn must be null or a KMS key or alias ARN."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days an overwritten (noncurrent) state version is kept before it expires."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "The noncurrent_version_retention_days must be at least 1."
  }
}

variable "noncurrent_versions_to_keep" {
  description = "Newest noncurrent versions of each state object kept regardless of their age."
  type        = number
  default     = 20

  validation {
    condition     = var.noncurrent_versions_to_keep >= 1 && var.noncurrent_versions_to_keep <= 100
    error_message = "The noncurrent_versions_to_keep must be from 1 to 100."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete the bucket with every state version in it (keep false)."
  type        = bool
  default     = false
}

variable "state_key_prefix" {
  description = "Key prefix under which the stacks keep their state (rating/<region>/terraform.tfstate, rating/global/terraform.tfstate)."
  type        = string
  default     = "rating"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]*$", var.state_key_prefix))
    error_message = "The state_key_prefix must be one path segment of letters, digits, dots, underscores and hyphens."
  }
}

variable "tags" {
  description = "Tags added to every resource (merged with Service and Region)."
  type        = map(string)
  default     = {}
}
