variable "name" {
  description = "Name of the workspace, topics, key alias and log group (e.g. rating-us-east-1): lower-case letters, digits and hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}[a-z0-9]$", var.name))
    error_message = "The name must be 2-64 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}

variable "pagerduty_integration_url" {
  description = "PagerDuty integration URL (an \"Amazon CloudWatch\" integration, https://events.pagerduty.com/integration/<key>/enqueue) the critical topic delivers to over HTTPS; null subscribes nothing. It ends up in the state as the subscription's endpoint."
  type        = string
  default     = null
  nullable    = true
  sensitive   = true

  validation {
    condition     = var.pagerduty_integration_url == null || can(regex("^https://[^/]+/", var.pagerduty_integration_url))
    error_message = "The pagerduty_integration_url must be null or an https:// URL."
  }
}

variable "warning_topic_subscriptions" {
  description = "Subscriptions of the warning topic (tickets), e.g. { protocol = \"email\", endpoint = \"oncall@example.com\" }. For Slack, point an AWS Chatbot channel configuration at the warning_topic_arn output instead."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.warning_topic_subscriptions : contains(["https", "email", "email-json", "sqs", "lambda"], s.protocol)])
    error_message = "Each warning_topic_subscriptions protocol must be one of https, email, email-json, sqs, lambda."
  }
}

variable "log_retention_days" {
  description = "Retention of the workspace's log group (rule evaluation and alert manager errors), in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}
