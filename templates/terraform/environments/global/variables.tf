variable "state_bucket" {
  description = "The state bucket (bootstrap output state_bucket_name): the regional stacks' outputs are read from it."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "The state_bucket must be an S3 bucket name."
  }
}

variable "state_bucket_region" {
  description = "Region of the state bucket."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.state_bucket_region))
    error_message = "The state_bucket_region must be an AWS region name, e.g. us-east-1."
  }
}

variable "domain_name" {
  description = "Domain of the public hosted zone, e.g. example.com (the same as the regional stacks')."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "The domain_name must be a lower-case DNS name without a trailing dot, e.g. example.com."
  }
}

variable "hosted_zone_id" {
  description = "ID of the public Route 53 hosted zone of domain_name."
  type        = string

  validation {
    condition     = can(regex("^Z[A-Z0-9]+$", var.hosted_zone_id))
    error_message = "The hosted_zone_id must be a Route 53 hosted zone id (Z...)."
  }
}

variable "global_name" {
  description = "Label of the global name: <global_name>.<domain_name>."
  type        = string
  default     = "rating"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.global_name))
    error_message = "The global_name must be one DNS label."
  }
}

variable "primary_region" {
  description = "Region the failover record answers while it is healthy."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = contains(["us-east-1", "eu-west-1"], var.primary_region)
    error_message = "The primary_region must be us-east-1 or eu-west-1."
  }
}

variable "routing_policy" {
  description = "failover (PRIMARY/SECONDARY) or latency (closest healthy region)."
  type        = string
  default     = "failover"

  validation {
    condition     = contains(["failover", "latency"], var.routing_policy)
    error_message = "The routing_policy must be failover or latency."
  }
}

variable "health_check_request_interval" {
  description = "Seconds between two checks of one Route 53 checker: 10 or 30."
  type        = number
  default     = 10

  validation {
    condition     = contains([10, 30], var.health_check_request_interval)
    error_message = "The health_check_request_interval must be 10 or 30."
  }
}

variable "health_check_failure_threshold" {
  description = "Consecutive failed checks before a region counts as unhealthy."
  type        = number
  default     = 3

  validation {
    condition     = var.health_check_failure_threshold >= 1 && var.health_check_failure_threshold <= 10
    error_message = "The health_check_failure_threshold must be from 1 to 10."
  }
}

variable "tags" {
  description = "Tags added to every resource (provider default_tags)."
  type        = map(string)
  default     = {}
}
