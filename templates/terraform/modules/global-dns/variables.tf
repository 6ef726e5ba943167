variable "name" {
  description = "Label of the global name: <name>.<domain_name> (e.g. rating -> rating.example.com)."
  type        = string
  default     = "rating"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.name))
    error_message = "The name must be one DNS label (lower-case letters, digits, hyphens; at most 63 characters)."
  }
}

variable "domain_name" {
  description = "Domain of the hosted zone, e.g. example.com; the regional names are <region>.<domain_name>."
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

variable "regions" {
  description = "The regional deployments by region: the load balancer's DNS name (the CNAME target). Exactly two for failover routing."
  type = map(object({
    alb_dns_name = string
  }))

  validation {
    condition     = length(var.regions) >= 1 && alltrue([for r in keys(var.regions) : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", r))])
    error_message = "The regions must map AWS region names (e.g. us-east-1) to their load balancers."
  }
}

variable "primary_region" {
  description = "Region the failover record answers while it is healthy (PRIMARY)."
  type        = string

  validation {
    condition     = contains(keys(var.regions), var.primary_region)
    error_message = "The primary_region must be one of the keys of regions."
  }
}

variable "routing_policy" {
  description = "How <name>.<domain_name> picks a region: failover (PRIMARY/SECONDARY, active-passive, needs exactly two regions) or latency (the closest healthy region, active-active)."
  type        = string
  default     = "failover"

  validation {
    condition     = contains(["failover", "latency"], var.routing_policy)
    error_message = "The routing_policy must be failover or latency."
  }

  validation {
    condition     = var.routing_policy != "failover" || length(var.regions) == 2
    error_message = "The failover routing_policy needs exactly two regions (a primary and a secondary)."
  }
}

variable "ttl" {
  description = "TTL of the CNAME records, in seconds: how long resolvers may keep answering the old region after a failover."
  type        = number
  default     = 60

  validation {
    condition     = var.ttl >= 5 && var.ttl <= 300
    error_message = "The ttl must be from 5 to 300 seconds."
  }
}

variable "health_check_request_interval" {
  description = "Seconds between two checks of one Route 53 checker: 10 (fast) or 30 (standard)."
  type        = number
  default     = 10

  validation {
    condition     = contains([10, 30], var.health_check_request_interval)
    error_message = "The health_check_request_interval must be 10 or 30."
  }
}

variable "health_check_failure_threshold" {
  description = "Consecutive failed checks before a checker considers the region unhealthy (1..10)."
  type        = number
  default     = 3

  validation {
    condition     = var.health_check_failure_threshold >= 1 && var.health_check_failure_threshold <= 10
    error_message = "The health_check_failure_threshold must be from 1 to 10."
  }
}

variable "health_check_regions" {
  description = "Route 53 checker regions (at least 3); null uses Route 53's default set."
  type        = list(string)
  default     = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"]

  validation {
    condition = var.health_check_regions == null || (
      length(coalesce(var.health_check_regions, [])) >= 3 &&
      alltrue([for r in coalesce(var.health_check_regions, []) : contains(["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"], r)])
    )
    error_message = "The health_check_regions must list at least 3 Route 53 checker regions (us-east-1, us-west-1, us-west-2, eu-west-1, ap-southeast-1, ap-southeast-2, ap-northeast-1, sa-east-1), or be null."
  }
}

variable "health_check_path" {
  description = "Path the health checks request over HTTPS."
  type        = string
  default     = "/health"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "The health_check_path must start with /."
  }
}

variable "tags" {
  description = "Tags added to the health checks (merged with Service)."
  type        = map(string)
  default     = {}
}
