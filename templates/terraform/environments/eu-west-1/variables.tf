################################################################################
# Release (written by the workflows: release.auto.tfvars.json, or -var during a canary)
################################################################################

variable "stable_image" {
  description = "Image URI the stable ECS service runs (committed in release.auto.tfvars.json)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][^\\s@]*/[^\\s:@/]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$", var.stable_image))
    error_message = "The stable_image must be an image URI with a tag or digest: <registry>/<repository>:<tag> or <registry>/<repository>@sha256:<digest>."
  }
}

variable "canary_image" {
  description = "Image URI the canary ECS service runs; null means the canary service has 0 tasks."
  type        = string
  default     = null

  validation {
    condition     = var.canary_image == null || can(regex("^[A-Za-z0-9][^\\s@]*/[^\\s:@/]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$", coalesce(var.canary_image, "x")))
    error_message = "The canary_image must be null or an image URI with a tag or digest."
  }
}

variable "canary_weight" {
  description = "Percent (0..100) of the requests the weighted listener forwards to the canary target group; 0 when canary_image is null."
  type        = number
  default     = 0

  validation {
    condition     = var.canary_weight >= 0 && var.canary_weight <= 100 && floor(var.canary_weight) == var.canary_weight
    error_message = "The canary_weight must be a whole number from 0 to 100."
  }

  validation {
    condition     = var.canary_image != null || var.canary_weight == 0
    error_message = "The canary_weight must be 0 when canary_image is null."
  }
}

################################################################################
# DNS
################################################################################

variable "domain_name" {
  description = "Domain of the public hosted zone, e.g. example.com: the service answers at rating.<domain_name> and <region>.<domain_name>."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "The domain_name must be a lower-case DNS name without a trailing dot, e.g. example.com."
  }
}

variable "hosted_zone_id" {
  description = "ID of the public Route 53 hosted zone of domain_name (for the certificate's DNS validation)."
  type        = string

  validation {
    condition     = can(regex("^Z[A-Z0-9]+$", var.hosted_zone_id))
    error_message = "The hosted_zone_id must be a Route 53 hosted zone id (Z...)."
  }
}

variable "global_name" {
  description = "Label of the global name (<global_name>.<domain_name>, environments/global's dns_name); the certificate covers it."
  type        = string
  default     = "rating"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.global_name))
    error_message = "The global_name must be one DNS label."
  }
}

################################################################################
# Capacity
################################################################################

variable "desired_count" {
  description = "Stable tasks when the service is created (auto scaling owns the count afterwards)."
  type        = number
  default     = 2

  validation {
    condition     = var.desired_count >= 1
    error_message = "The desired_count must be at least 1."
  }
}

variable "canary_desired_count" {
  description = "Canary tasks while canary_image is set."
  type        = number
  default     = 1

  validation {
    condition     = var.canary_desired_count >= 1 && var.canary_desired_count <= 10
    error_message = "The canary_desired_count must be from 1 to 10."
  }
}

variable "autoscaling_min_capacity" {
  description = "Fewest stable tasks."
  type        = number
  default     = 2

  validation {
    condition     = var.autoscaling_min_capacity >= 1
    error_message = "The autoscaling_min_capacity must be at least 1."
  }
}

variable "autoscaling_max_capacity" {
  description = "Most stable tasks."
  type        = number
  default     = 10

  validation {
    condition     = var.autoscaling_max_capacity >= var.autoscaling_min_capacity
    error_message = "The autoscaling_max_capacity must be at least autoscaling_min_capacity."
  }
}

variable "task_cpu" {
  description = "CPU units of one task."
  type        = number
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.task_cpu)
    error_message = "The task_cpu must be 256, 512, 1024, 2048 or 4096."
  }
}

variable "task_memory" {
  description = "Memory of one task, in MiB (a Fargate combination with task_cpu)."
  type        = number
  default     = 1024

  validation {
    condition     = var.task_memory >= 512
    error_message = "The task_memory must be at least 512 MiB."
  }
}

variable "redis_node_type" {
  description = "ElastiCache node type of Redis."
  type        = string
  default     = "cache.t4g.small"

  validation {
    condition     = startswith(var.redis_node_type, "cache.")
    error_message = "The redis_node_type must be an ElastiCache node type (cache.*)."
  }
}

################################################################################
# Network
################################################################################

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the region's VPC (give each region its own, in case they are ever peered)."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "The vpc_cidr must be an IPv4 CIDR block, e.g. 10.10.0.0/16."
  }
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per availability zone (true) or a single one (false)."
  type        = bool
  default     = true
}

variable "enable_flow_logs" {
  description = "VPC flow logs to CloudWatch Logs."
  type        = bool
  default     = false
}

################################################################################
# Operations
################################################################################

variable "name_prefix" {
  description = "Prefix of every name; the stack's name is <name_prefix>-<region>. Must match the github-oidc module's name_prefix (the apply role is scoped to it)."
  type        = string
  default     = "openclaw-rating"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}$", var.name_prefix))
    error_message = "The name_prefix must be 2 to 15 characters of lower-case letters, digits and hyphens (the regional name must fit in 25)."
  }
}

variable "replication_token_secret_name" {
  description = "Name of the REPLICATION_TOKEN secret bootstrap/ created (replicated into every region)."
  type        = string
  default     = "openclaw-rating/replication-token"

  validation {
    condition     = length(var.replication_token_secret_name) > 0
    error_message = "The replication_token_secret_name must not be empty."
  }
}

variable "pagerduty_integration_url" {
  description = "PagerDuty integration URL (Amazon CloudWatch / SNS integration) the observability SNS topics deliver to; null or empty for none (the workflows pass the PAGERDUTY_INTEGRATION_URL secret, empty when it is not set)."
  type        = string
  default     = null
  sensitive   = true
  nullable    = true

  validation {
    condition     = var.pagerduty_integration_url == null || startswith(coalesce(var.pagerduty_integration_url, "https://"), "https://")
    error_message = "The pagerduty_integration_url must be empty, null or an https:// URL."
  }
}

variable "alb_deletion_protection" {
  description = "Deletion protection of the load balancer."
  type        = bool
  default     = true
}

variable "iam_permissions_boundary_arn" {
  description = "Permissions boundary of every IAM role the stack creates; must be the apply role's boundary when bootstrap set one (apply_permissions_boundary_arn). Null for none."
  type        = string
  default     = null

  validation {
    condition     = var.iam_permissions_boundary_arn == null || can(regex("^arn:[a-z-]+:iam::([0-9]{12}|aws):policy/.+$", coalesce(var.iam_permissions_boundary_arn, "x")))
    error_message = "The iam_permissions_boundary_arn must be null or an IAM managed policy ARN."
  }
}

variable "tags" {
  description = "Tags added to every resource of the stack (provider default_tags)."
  type        = map(string)
  default     = {}
}
