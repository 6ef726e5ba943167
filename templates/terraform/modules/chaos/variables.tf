variable "name" {
  description = "Name of the region's deployment (the rating-service module's name); prefixes the templates, the role and the log group."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "The name must be 2 to 41 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "cluster_name" {
  description = "Name of the ECS cluster of the tasks (rating-service output cluster_name); the FIS role's ECS permissions are limited to it."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.cluster_name))
    error_message = "The cluster_name must be an ECS cluster name (letters, digits, hyphens, underscores)."
  }
}

variable "chaos_target_tag_value" {
  description = "Value of the ChaosTarget tag of the target tasks (rating-service output chaos_target_tag.value: only the stable service's tasks carry it); the targets and the FIS role are scoped by it."
  type        = string

  validation {
    condition     = length(var.chaos_target_tag_value) > 0
    error_message = "The chaos_target_tag_value must not be empty."
  }
}

variable "stop_condition_alarm_arns" {
  description = "CloudWatch alarms that stop a running experiment when they go into ALARM (e.g. the stable error-ratio alarm). Empty: the experiments have no stop condition."
  type        = list(string)

  validation {
    condition     = alltrue([for a in var.stop_condition_alarm_arns : can(regex("^arn:[a-z-]+:cloudwatch:[a-z0-9-]+:[0-9]{12}:alarm:.+$", a))])
    error_message = "The stop_condition_alarm_arns must be CloudWatch alarm ARNs (arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>)."
  }
}

variable "stop_tasks_selection_mode" {
  description = "Which of the matching tasks the stop-tasks experiment stops: ALL, COUNT(n) or PERCENT(n)."
  type        = string
  default     = "PERCENT(50)"

  validation {
    condition     = can(regex("^(ALL|COUNT\\([1-9][0-9]*\\)|PERCENT\\(([1-9][0-9]?|100)\\))$", var.stop_tasks_selection_mode))
    error_message = "The stop_tasks_selection_mode must be ALL, COUNT(n) with n >= 1 or PERCENT(n) with n from 1 to 100."
  }
}

variable "latency_selection_mode" {
  description = "Which of the matching tasks the latency experiment slows down: ALL, COUNT(n) or PERCENT(n)."
  type        = string
  default     = "ALL"

  validation {
    condition     = can(regex("^(ALL|COUNT\\([1-9][0-9]*\\)|PERCENT\\(([1-9][0-9]?|100)\\))$", var.latency_selection_mode))
    error_message = "The latency_selection_mode must be ALL, COUNT(n) with n >= 1 or PERCENT(n) with n from 1 to 100."
  }
}

variable "latency_duration_minutes" {
  description = "How long the latency experiment adds latency, in minutes."
  type        = number
  default     = 5

  validation {
    condition     = var.latency_duration_minutes >= 1 && var.latency_duration_minutes <= 720 && floor(var.latency_duration_minutes) == var.latency_duration_minutes
    error_message = "The latency_duration_minutes must be a whole number from 1 to 720."
  }
}

variable "latency_delay_ms" {
  description = "Network latency added to the tasks' traffic, in milliseconds."
  type        = number
  default     = 200

  validation {
    condition     = var.latency_delay_ms >= 1 && var.latency_delay_ms <= 60000 && floor(var.latency_delay_ms) == var.latency_delay_ms
    error_message = "The latency_delay_ms must be a whole number from 1 to 60000."
  }
}

variable "latency_jitter_ms" {
  description = "Jitter of the added latency, in milliseconds."
  type        = number
  default     = 10

  validation {
    condition     = var.latency_jitter_ms >= 0 && floor(var.latency_jitter_ms) == var.latency_jitter_ms
    error_message = "The latency_jitter_ms must be a whole number of at least 0."
  }
}

variable "log_retention_days" {
  description = "Retention of the experiments' CloudWatch log group, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary set on every IAM role the module creates (required when the apply role has one: github-oidc's apply_permissions_boundary_arn); null for none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:[a-z-]+:iam::([0-9]{12}|aws):policy/.+$", coalesce(var.permissions_boundary_arn, "x")))
    error_message = "The permissions_boundary_arn must be null or an IAM managed policy ARN."
  }
}

variable "tags" {
  description = "Tags added to every resource (merged with Service and Region)."
  type        = map(string)
  default     = {}
}
