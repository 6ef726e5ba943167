variable "name" {
  description = "Name prefix of every resource of the VPC, e.g. openclaw-rating-us-east-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "The name must be 2 to 41 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "cidr_block" {
  description = "IPv4 CIDR block of the VPC. Public and private subnets are carved out of it with cidrsubnet()."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 24
    error_message = "The cidr_block must be an IPv4 CIDR block with a prefix length from /16 to /24."
  }
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix for each subnet (4 turns a /16 into /20 subnets). Public subnets take the indexes 0..n-1, private subnets 8..8+n-1."
  type        = number
  default     = 4

  validation {
    condition     = var.subnet_newbits >= 4 && var.subnet_newbits <= 8
    error_message = "The subnet_newbits must be from 4 to 8 (there must be room for 16 subnets)."
  }
}

variable "availability_zones" {
  description = "Availability zones to spread the subnets over (2 or 3). Null takes the first az_count zones of the region that are available."
  type        = list(string)
  default     = null

  validation {
    condition     = var.availability_zones == null || (length(coalesce(var.availability_zones, [])) >= 2 && length(coalesce(var.availability_zones, [])) <= 3)
    error_message = "The availability_zones must list 2 or 3 zones, or be null."
  }
}

variable "az_count" {
  description = "How many availability zones to use when availability_zones is null."
  type        = number
  default     = 3

  validation {
    condition     = contains([2, 3], var.az_count)
    error_message = "The az_count must be 2 or 3."
  }
}

variable "nat_gateway_per_az" {
  description = "True: one NAT gateway per availability zone (an AZ outage leaves the other zones' egress up). False: a single NAT gateway shared by every private subnet (cheaper, one zone's failure cuts all egress)."
  type        = bool
  default     = true
}

variable "enable_flow_logs" {
  description = "Send VPC flow logs (all traffic) to a CloudWatch Logs group."
  type        = bool
  default     = false
}

variable "flow_logs_retention_days" {
  description = "Retention of the flow log group, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs_retention_days)
    error_message = "The flow_logs_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
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
