################################################################################
# Naming, placement
################################################################################

variable "name" {
  description = "Name of this region's deployment, used as the prefix of every resource and as the ChaosTarget tag value, e.g. openclaw-rating-us-east-1 (at most 25 characters, so that the target group names fit in 32)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,24}$", var.name))
    error_message = "The name must be 2 to 25 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "vpc_id" {
  description = "ID of the VPC (modules/network output vpc_id)."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "The vpc_id must be a VPC id (vpc-...)."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets of at least two availability zones, for the load balancer."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2 && alltrue([for s in var.public_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "The public_subnet_ids must list at least two subnet ids (subnet-...)."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets (with a NAT route) of at least two availability zones, for the tasks and Redis."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for s in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "The private_subnet_ids must list at least two subnet ids (subnet-...)."
  }
}

variable "certificate_arn" {
  description = "ARN of the validated ACM certificate of the HTTPS listener; it must cover <domain> and <region>.<domain>."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "The certificate_arn must be an ACM certificate ARN (arn:<partition>:acm:<region>:<account>:certificate/<id>)."
  }
}

################################################################################
# Release: images and canary weight (set by the workflows)
################################################################################

variable "stable_image" {
  description = "Image URI the stable ECS service runs, with a tag (its SERVICE_VERSION) or a digest, e.g. <account>.dkr.ecr.<region>.amazonaws.com/openclaw/rating-service:0.1.0."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][^\\s@]*/[^\\s:@/]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$", var.stable_image))
    error_message = "The stable_image must be an image URI with a tag or digest: <registry>/<repository>:<tag> or <registry>/<repository>@sha256:<digest>."
  }
}

variable "canary_image" {
  description = "Image URI the canary ECS service runs. Null: the canary service runs 0 tasks and canary_weight must be 0."
  type        = string
  default     = null

  validation {
    condition     = var.canary_image == null || can(regex("^[A-Za-z0-9][^\\s@]*/[^\\s:@/]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$", coalesce(var.canary_image, "x")))
    error_message = "The canary_image must be null or an image URI with a tag or digest: <registry>/<repository>:<tag> or <registry>/<repository>@sha256:<digest>."
  }
}

variable "canary_weight" {
  description = "Percent (0..100) of the HTTPS listener's requests forwarded to the canary target group; the stable target group gets the rest. Must be 0 when canary_image is null."
  type        = number
  default     = 0

  validation {
    condition     = var.canary_weight >= 0 && var.canary_weight <= 100 && floor(var.canary_weight) == var.canary_weight
    error_message = "The canary_weight must be a whole number from 0 to 100."
  }

  validation {
    condition     = var.canary_image != null || var.canary_weight == 0
    error_message = "The canary_weight must be 0 when canary_image is null (there is no canary task to send traffic to)."
  }
}

################################################################################
# Capacity
################################################################################

variable "desired_count" {
  description = "Tasks of the stable service when it is created; afterwards Application Auto Scaling owns the count (between autoscaling_min_capacity and autoscaling_max_capacity)."
  type        = number
  default     = 2

  validation {
    condition     = var.desired_count >= 1 && floor(var.desired_count) == var.desired_count
    error_message = "The desired_count must be a whole number of at least 1."
  }
}

variable "canary_desired_count" {
  description = "Tasks of the canary service while canary_image is set (0 tasks otherwise)."
  type        = number
  default     = 1

  validation {
    condition     = var.canary_desired_count >= 1 && var.canary_desired_count <= 10 && floor(var.canary_desired_count) == var.canary_desired_count
    error_message = "The canary_desired_count must be a whole number from 1 to 10."
  }
}

variable "autoscaling_min_capacity" {
  description = "Fewest tasks of the stable service."
  type        = number
  default     = 2

  validation {
    condition     = var.autoscaling_min_capacity >= 1 && floor(var.autoscaling_min_capacity) == var.autoscaling_min_capacity
    error_message = "The autoscaling_min_capacity must be a whole number of at least 1."
  }
}

variable "autoscaling_max_capacity" {
  description = "Most tasks of the stable service."
  type        = number
  default     = 10

  validation {
    condition     = var.autoscaling_max_capacity >= var.autoscaling_min_capacity && floor(var.autoscaling_max_capacity) == var.autoscaling_max_capacity
    error_message = "The autoscaling_max_capacity must be a whole number no smaller than autoscaling_min_capacity."
  }
}

variable "autoscaling_cpu_target_percent" {
  description = "Target average CPU utilisation (percent) of the stable service for target tracking."
  type        = number
  default     = 60

  validation {
    condition     = var.autoscaling_cpu_target_percent >= 10 && var.autoscaling_cpu_target_percent <= 90
    error_message = "The autoscaling_cpu_target_percent must be from 10 to 90."
  }
}

variable "autoscaling_requests_per_target" {
  description = "Target ALBRequestCountPerTarget (requests per task per minute) of the stable service for target tracking."
  type        = number
  default     = 6000

  validation {
    condition     = var.autoscaling_requests_per_target >= 1
    error_message = "The autoscaling_requests_per_target must be at least 1."
  }
}

variable "task_cpu" {
  description = "CPU units of one task (Fargate: 256, 512, 1024, 2048, 4096, ...)."
  type        = number
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task_cpu)
    error_message = "The task_cpu must be a Fargate CPU value: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "task_memory" {
  description = "Memory (MiB) of one task; it must be a valid Fargate combination with task_cpu."
  type        = number
  default     = 1024

  validation {
    condition     = var.task_memory >= 512 && var.task_memory <= 122880
    error_message = "The task_memory must be from 512 to 122880 MiB."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the tasks: X86_64 or ARM64 (the image must be built for it)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "The cpu_architecture must be X86_64 or ARM64."
  }
}

variable "container_insights" {
  description = "Container Insights setting of the ECS cluster: enabled or enhanced."
  type        = string
  default     = "enabled"

  validation {
    condition     = contains(["enabled", "enhanced"], var.container_insights)
    error_message = "The container_insights must be enabled or enhanced."
  }
}

variable "wait_for_steady_state" {
  description = "Make terraform apply wait until each ECS service is steady (so that a canary gate measures the new tasks, not the old ones)."
  type        = bool
  default     = true
}

################################################################################
# Service configuration (environment variables; defaults are the service's)
################################################################################

variable "peers" {
  description = "Base URLs of the other regions (https://<other-region>.<domain>), joined into PEERS."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.peers : can(regex("^https?://[a-z0-9.-]+(:[0-9]{1,5})?$", p))]) && length(distinct(var.peers)) == length(var.peers)
    error_message = "The peers must be distinct http(s) base URLs without path, query or credentials, e.g. https://eu-west-1.rating.example.com."
  }
}

variable "limit_policies" {
  description = "LIMIT_POLICIES: comma-separated name:capacity:refillPerSecond token-bucket policies; must define default."
  type        = string
  default     = "default:100:10,writes:60:1"

  validation {
    condition     = alltrue([for p in split(",", var.limit_policies) : can(regex("^[a-z][a-z0-9_-]*:[0-9]+:[0-9.]+$", p))]) && contains([for p in split(",", var.limit_policies) : split(":", p)[0]], "default")
    error_message = "The limit_policies must be comma-separated name:capacity:refillPerSecond entries (names [a-z][a-z0-9_-]*) including one named default."
  }
}

variable "write_limit_policy" {
  description = "WRITE_LIMIT_POLICY: the policy of limit_policies that limits rating writes per actor."
  type        = string
  default     = "writes"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]*$", var.write_limit_policy))
    error_message = "The write_limit_policy must be a policy name ([a-z][a-z0-9_-]*)."
  }
}

variable "idempotency_ttl_seconds" {
  description = "IDEMPOTENCY_TTL_SECONDS: how long event ids are remembered (1..2592000)."
  type        = number
  default     = 86400

  validation {
    condition     = var.idempotency_ttl_seconds >= 1 && var.idempotency_ttl_seconds <= 2592000
    error_message = "The idempotency_ttl_seconds must be from 1 to 2592000."
  }
}

variable "replication_interval_ms" {
  description = "REPLICATION_INTERVAL_MS: pause between anti-entropy rounds (50..600000)."
  type        = number
  default     = 1000

  validation {
    condition     = var.replication_interval_ms >= 50 && var.replication_interval_ms <= 600000
    error_message = "The replication_interval_ms must be from 50 to 600000."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of the service."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["fatal", "error", "warn", "info", "debug", "trace", "silent"], var.log_level)
    error_message = "The log_level must be one of fatal, error, warn, info, debug, trace, silent."
  }
}

variable "fault_error_rate" {
  description = "FAULT_ERROR_RATE of the canary tasks only (0..1), for testing the canary gate; the stable tasks always run with 0."
  type        = number
  default     = 0

  validation {
    condition     = var.fault_error_rate >= 0 && var.fault_error_rate <= 1
    error_message = "The fault_error_rate must be from 0 to 1."
  }
}

variable "fault_latency_ms" {
  description = "FAULT_LATENCY_MS of the canary tasks only (0..60000); the stable tasks always run with 0."
  type        = number
  default     = 0

  validation {
    condition     = var.fault_latency_ms >= 0 && var.fault_latency_ms <= 60000 && floor(var.fault_latency_ms) == var.fault_latency_ms
    error_message = "The fault_latency_ms must be a whole number from 0 to 60000."
  }
}

variable "extra_environment" {
  description = "More environment variables of the service container (e.g. RATING_PRIOR_WEIGHT); they cannot override the ones the module sets."
  type        = map(string)
  default     = {}
}

################################################################################
# Load balancer
################################################################################

variable "deregistration_delay_seconds" {
  description = "Deregistration delay of both target groups. SHUTDOWN_DRAIN_DELAY_MS is set to the same time, SHUTDOWN_TIMEOUT_MS and the container stop timeout above it (Fargate allows at most 120 s, hence the upper bound)."
  type        = number
  default     = 30

  validation {
    condition     = var.deregistration_delay_seconds >= 5 && var.deregistration_delay_seconds <= 100 && floor(var.deregistration_delay_seconds) == var.deregistration_delay_seconds
    error_message = "The deregistration_delay_seconds must be a whole number from 5 to 100."
  }
}

variable "health_check_interval_seconds" {
  description = "Interval of the target groups' /health checks (an instance is taken out after 2 failed checks)."
  type        = number
  default     = 10

  validation {
    condition     = var.health_check_interval_seconds >= 5 && var.health_check_interval_seconds <= 300
    error_message = "The health_check_interval_seconds must be from 5 to 300."
  }
}

variable "ssl_policy" {
  description = "Security policy of the HTTPS listener."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = startswith(var.ssl_policy, "ELBSecurityPolicy-")
    error_message = "The ssl_policy must be an ELB security policy name (ELBSecurityPolicy-...)."
  }
}

variable "alb_deletion_protection" {
  description = "Turn on deletion protection of the load balancer (turn it off before destroying the stack)."
  type        = bool
  default     = true
}

variable "alb_access_logs_bucket" {
  description = "S3 bucket for the load balancer's access logs (its policy must let the region's ELB write); null turns access logs off."
  type        = string
  default     = null
}

variable "alb_access_logs_prefix" {
  description = "Key prefix of the access logs in alb_access_logs_bucket."
  type        = string
  default     = "rating"
}

variable "alb_ingress_cidr_blocks" {
  description = "IPv4 ranges allowed to reach the load balancer on 443 and 80 (the internet by default)."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = alltrue([for c in var.alb_ingress_cidr_blocks : can(cidrhost(c, 0))])
    error_message = "The alb_ingress_cidr_blocks must be IPv4 CIDR blocks."
  }
}

################################################################################
# Redis
################################################################################

variable "redis_node_type" {
  description = "ElastiCache node type of the Redis primary and replicas."
  type        = string
  default     = "cache.t4g.small"

  validation {
    condition     = startswith(var.redis_node_type, "cache.")
    error_message = "The redis_node_type must be an ElastiCache node type (cache.*)."
  }
}

variable "redis_engine_version" {
  description = "Redis OSS engine version (7.x; the service needs 6.2 or later)."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.[0-9]+$", var.redis_engine_version))
    error_message = "The redis_engine_version must be a Redis 7.x version, e.g. 7.1."
  }
}

variable "redis_num_cache_clusters" {
  description = "Nodes of the replication group (primary + replicas), spread over the zones; at least 2 for Multi-AZ with automatic failover."
  type        = number
  default     = 2

  validation {
    condition     = var.redis_num_cache_clusters >= 2 && var.redis_num_cache_clusters <= 6
    error_message = "The redis_num_cache_clusters must be from 2 to 6 (Multi-AZ needs a replica)."
  }
}

variable "redis_snapshot_retention_days" {
  description = "Days of automatic Redis snapshots kept (0 turns snapshots off)."
  type        = number
  default     = 7

  validation {
    condition     = var.redis_snapshot_retention_days >= 0 && var.redis_snapshot_retention_days <= 35
    error_message = "The redis_snapshot_retention_days must be from 0 to 35."
  }
}

variable "redis_auth_token_version" {
  description = "Version of the Redis AUTH token. Raise it by one to generate a new token: it is written to the Secrets Manager secret and added to Redis with the ROTATE strategy (see the README for finishing a rotation)."
  type        = number
  default     = 1

  validation {
    condition     = var.redis_auth_token_version >= 1 && floor(var.redis_auth_token_version) == var.redis_auth_token_version
    error_message = "The redis_auth_token_version must be a whole number of at least 1."
  }
}

variable "kms_key_arn" {
  description = "KMS key for Redis at-rest encryption and the log group; null uses the AWS managed keys."
  type        = string
  default     = null
}

################################################################################
# Secrets
################################################################################

variable "replication_token_secret_arn" {
  description = "ARN of an existing Secrets Manager secret holding REPLICATION_TOKEN as a plain string (every region must share one token: bootstrap/ creates one with a replica in each region). Null: the module creates a secret of its own (for a single region)."
  type        = string
  default     = null

  validation {
    condition     = var.replication_token_secret_arn == null || can(regex("^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", coalesce(var.replication_token_secret_arn, "x")))
    error_message = "The replication_token_secret_arn must be null or a Secrets Manager secret ARN."
  }
}

variable "replication_token_version" {
  description = "Version of the module's own replication token (only when replication_token_secret_arn is null); raise it to generate a new token."
  type        = number
  default     = 1

  validation {
    condition     = var.replication_token_version >= 1 && floor(var.replication_token_version) == var.replication_token_version
    error_message = "The replication_token_version must be a whole number of at least 1."
  }
}

variable "secret_recovery_window_days" {
  description = "Recovery window of the secrets the module creates (0 deletes at once, else 7..30 days)."
  type        = number
  default     = 7

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "The secret_recovery_window_days must be 0 or from 7 to 30."
  }
}

################################################################################
# Images, logs, metrics
################################################################################

variable "ecr_repository_name" {
  description = "Name of the ECR repository the module creates for the service image."
  type        = string
  default     = "openclaw/rating-service"

  validation {
    condition     = can(regex("^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$", var.ecr_repository_name))
    error_message = "The ecr_repository_name must be a valid ECR repository name (lower-case, e.g. openclaw/rating-service)."
  }
}

variable "ecr_keep_tagged_images" {
  description = "How many tagged images the ECR lifecycle policy keeps (untagged images expire after 7 days)."
  type        = number
  default     = 50

  validation {
    condition     = var.ecr_keep_tagged_images >= 5
    error_message = "The ecr_keep_tagged_images must be at least 5 (rollbacks need older images)."
  }
}

variable "ecr_force_delete" {
  description = "Let terraform destroy delete the ECR repository with its images."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the tasks' CloudWatch log group, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "prometheus_remote_write_url" {
  description = "Amazon Managed Prometheus remote-write URL (https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/api/v1/remote_write). Set: every task runs an ADOT collector sidecar that scrapes /metrics every 15 s and remote-writes with SigV4. Null: no sidecar."
  type        = string
  default     = null

  validation {
    condition     = var.prometheus_remote_write_url == null || can(regex("^https://aps-workspaces\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/workspaces/ws-[A-Za-z0-9-]+/api/v1/remote_write$", coalesce(var.prometheus_remote_write_url, "x")))
    error_message = "The prometheus_remote_write_url must be null or an AMP remote-write URL: https://aps-workspaces.<region>.amazonaws.com/workspaces/<ws-id>/api/v1/remote_write."
  }
}

variable "adot_collector_image" {
  description = "Image of the ADOT collector sidecar (pin a version)."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.47.0"
}

variable "enable_fis_task_actions" {
  description = "Add what the FIS aws:ecs:task-* actions (network latency) need to every task: the SSM agent sidecar that registers the task as an SSM managed instance, pid_mode task, and the IAM for it. Off: only aws:ecs:stop-task drills work."
  type        = bool
  default     = true
}

variable "ssm_agent_image" {
  description = "Image of the SSM agent sidecar the FIS aws:ecs:task actions use."
  type        = string
  default     = "public.ecr.aws/amazon-ssm-agent/amazon-ssm-agent:latest"
}

################################################################################
# Alarms
################################################################################

variable "alarm_topic_arns" {
  description = "SNS topics notified when an alarm fires and when it recovers (alarm and OK actions)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.alarm_topic_arns : can(regex("^arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]{12}:.+$", a))])
    error_message = "The alarm_topic_arns must be SNS topic ARNs."
  }
}

variable "alarm_error_ratio_percent" {
  description = "Alarm when a target group's 5xx responses exceed this percent of its requests (per minute)."
  type        = number
  default     = 5

  validation {
    condition     = var.alarm_error_ratio_percent > 0 && var.alarm_error_ratio_percent <= 100
    error_message = "The alarm_error_ratio_percent must be above 0 and at most 100."
  }
}

variable "alarm_p99_latency_seconds" {
  description = "Alarm when a target group's p99 TargetResponseTime exceeds this many seconds."
  type        = number
  default     = 1

  validation {
    condition     = var.alarm_p99_latency_seconds > 0
    error_message = "The alarm_p99_latency_seconds must be above 0."
  }
}

variable "alarm_evaluation_periods" {
  description = "Consecutive one-minute periods a condition must hold before an alarm fires."
  type        = number
  default     = 3

  validation {
    condition     = var.alarm_evaluation_periods >= 1 && var.alarm_evaluation_periods <= 30
    error_message = "The alarm_evaluation_periods must be from 1 to 30."
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
