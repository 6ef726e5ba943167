data "aws_region" "current" {}

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

locals {
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id

  tags = merge(var.tags, {
    Service = "rating"
    Region  = local.region
  })

  container_name = "rating"
  container_port = 8080
  tracks         = toset(["stable", "canary"])

  canary_enabled = var.canary_image != null

  images = {
    stable = var.stable_image
    # The canary task definition exists even without a canary (0 tasks); it then runs the stable image.
    canary = coalesce(var.canary_image, var.stable_image)
  }

  # SERVICE_VERSION is the image tag ("0.1.0" of ...:0.1.0), or the first 12 digest characters.
  versions = {
    for track, image in local.images : track => try(
      regex(":([A-Za-z0-9_][A-Za-z0-9_.-]*)$", image)[0],
      substr(regex("@sha256:([a-f0-9]+)$", image)[0], 0, 12),
      "unknown",
    )
  }

  weights = {
    stable = 100 - var.canary_weight
    canary = var.canary_weight
  }

  desired_counts = {
    stable = var.desired_count
    canary = local.canary_enabled ? var.canary_desired_count : 0
  }

  # Draining: on SIGTERM the service answers /health 503 for SHUTDOWN_DRAIN_DELAY_MS, then closes its listener
  # and finishes requests in flight. ECS deregisters a task from its target group (and waits the deregistration
  # delay) before it sends SIGTERM, but a task stopped by other means (FIS stop-task, a failed health check)
  # is still in the target group at SIGTERM: the drain delay covers that. The shutdown timeout and the container
  # stop timeout (SIGKILL) come after the drain delay.
  drain_delay_ms      = var.deregistration_delay_seconds * 1000
  shutdown_timeout_ms = local.drain_delay_ms + 10000
  stop_timeout        = min(120, var.deregistration_delay_seconds + 15)

  common_environment = merge(var.extra_environment, {
    REGION                  = local.region
    HOST                    = "0.0.0.0"
    PORT                    = tostring(local.container_port)
    PEERS                   = join(",", var.peers)
    LIMIT_POLICIES          = var.limit_policies
    WRITE_LIMIT_POLICY      = var.write_limit_policy
    IDEMPOTENCY_TTL_SECONDS = tostring(var.idempotency_ttl_seconds)
    REPLICATION_INTERVAL_MS = tostring(var.replication_interval_ms)
    SHUTDOWN_DRAIN_DELAY_MS = tostring(local.drain_delay_ms)
    SHUTDOWN_TIMEOUT_MS     = tostring(local.shutdown_timeout_ms)
    LOG_LEVEL               = var.log_level
  })

  environment = {
    for track in local.tracks : track => merge(local.common_environment, {
      SERVICE_VERSION  = local.versions[track]
      FAULT_ERROR_RATE = track == "canary" ? tostring(var.fault_error_rate) : "0"
      FAULT_LATENCY_MS = track == "canary" ? tostring(var.fault_latency_ms) : "0"
    })
  }

  replication_token_secret_arn = coalesce(var.replication_token_secret_arn, try(aws_secretsmanager_secret.replication_token[0].arn, null))

  secrets = [
    { name = "REDIS_URL", valueFrom = "${aws_secretsmanager_secret.redis.arn}:url::" },
    { name = "REPLICATION_TOKEN", valueFrom = local.replication_token_secret_arn },
  ]

  # Tags of each service, propagated to its tasks. The chaos module selects its targets by ChaosTarget,
  # which only the stable service (and so only its tasks) carries: the drills never hit a canary.
  service_tags = {
    stable = merge(local.tags, { Track = "stable", ChaosTarget = var.name })
    canary = merge(local.tags, { Track = "canary" })
  }

  # The FIS task actions (network latency) need the SSM agent sidecar; only the stable tasks are targets.
  fis_sidecar = { for track in local.tracks : track => var.enable_fis_task_actions && track == "stable" }

  adot_enabled = var.prometheus_remote_write_url != null

  # Each container is JSON-encoded on its own and the strings joined, so that containers of different
  # shapes never have to share one Terraform list type.
  container_definitions = {
    for track in local.tracks : track => format("[%s]", join(",", concat(
      [
        jsonencode({
          name                   = local.container_name
          image                  = local.images[track]
          essential              = true
          readonlyRootFilesystem = true
          portMappings = [{
            name          = "http"
            containerPort = local.container_port
            hostPort      = local.container_port
            protocol      = "tcp"
          }]
          environment = [for k in sort(keys(local.environment[track])) : { name = k, value = local.environment[track][k] }]
          secrets     = local.secrets
          stopTimeout = local.stop_timeout
          # ECS ignores the image's HEALTHCHECK; this is the same check.
          healthCheck = {
            command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:${local.container_port}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
            interval    = 10
            timeout     = 3
            retries     = 3
            startPeriod = 10
          }
          logConfiguration = {
            logDriver = "awslogs"
            options = {
              awslogs-group         = aws_cloudwatch_log_group.this.name
              awslogs-region        = local.region
              awslogs-stream-prefix = track
            }
          }
        })
      ],
      local.adot_enabled ? [
        jsonencode({
          name      = "adot-collector"
          image     = var.adot_collector_image
          essential = false
          environment = [
            { name = "AOT_CONFIG_CONTENT", value = local.adot_config[track] },
          ]
          logConfiguration = {
            logDriver = "awslogs"
            options = {
              awslogs-group         = aws_cloudwatch_log_group.this.name
              awslogs-region        = local.region
              awslogs-stream-prefix = "${track}-adot"
            }
          }
        })
      ] : [],
      local.fis_sidecar[track] ? [
        jsonencode({
          name       = "fis-ssm-agent"
          image      = var.ssm_agent_image
          essential  = false
          entryPoint = ["/bin/bash", "-c"]
          command    = [local.ssm_agent_script]
          environment = [
            { name = "MANAGED_INSTANCE_ROLE_NAME", value = try(aws_iam_role.ssm_managed_instance[0].name, "") },
            { name = "CHAOS_TARGET", value = var.name },
          ]
          logConfiguration = {
            logDriver = "awslogs"
            options = {
              awslogs-group         = aws_cloudwatch_log_group.this.name
              awslogs-region        = local.region
              awslogs-stream-prefix = "${track}-ssm-agent"
            }
          }
        })
      ] : [],
    )))
  }

  # ADOT collector configuration (AOT_CONFIG_CONTENT): scrape the service on loopback every 15 s and
  # remote-write to AMP with SigV4. job comes from job_name, region and track are target labels, so every
  # series carries job="rating", region="<region>", track="stable"|"canary".
  adot_config = {
    for track in local.tracks : track => yamlencode({
      extensions = {
        sigv4auth = {
          region  = local.region
          service = "aps"
        }
      }
      receivers = {
        prometheus = {
          config = {
            global = {
              scrape_interval = "15s"
              scrape_timeout  = "10s"
            }
            scrape_configs = [{
              job_name        = "rating"
              scrape_interval = "15s"
              metrics_path    = "/metrics"
              static_configs = [{
                targets = ["127.0.0.1:${local.container_port}"]
                labels = {
                  region = local.region
                  track  = track
                }
              }]
            }]
          }
        }
      }
      processors = {
        batch = {}
      }
      exporters = {
        prometheusremotewrite = {
          endpoint = coalesce(var.prometheus_remote_write_url, "https://unused.invalid")
          auth = {
            authenticator = "sigv4auth"
          }
          resource_to_telemetry_conversion = {
            enabled = false
          }
        }
      }
      service = {
        extensions = ["sigv4auth"]
        pipelines = {
          metrics = {
            receivers  = ["prometheus"]
            processors = ["batch"]
            exporters  = ["prometheusremotewrite"]
          }
        }
      }
    })
  }

  # The SSM agent sidecar of the FIS aws:ecs:task actions, following the FIS user guide ("Use the AWS FIS
  # aws:ecs:task actions"): register the task as an SSM managed instance through a one-use activation tagged
  # ECS_TASK_ARN (how FIS maps a target task to its managed instance), ECS_TASK_AVAILABILITY_ZONE,
  # FAULT_INJECTION_SIDECAR and ChaosTarget (what the FIS role's ssm:SendCommand is scoped by), run the
  # agent, and on SIGTERM delete the activation and deregister the managed instance.
  ssm_agent_script = <<-EOT
    set -euo pipefail
    dnf install -y -q jq procps awscli
    if pgrep -f amazon-ssm-agent >/dev/null; then echo "an SSM agent already runs (ECS Exec on?), exiting" >&2; exit 1; fi
    task=$(curl -fsS "$ECS_CONTAINER_METADATA_URI_V4/task")
    task_arn=$(jq -er .TaskARN <<<"$task")
    zone=$(jq -er .AvailabilityZone <<<"$task")
    region=$(cut -d: -f4 <<<"$task_arn")
    activation=$(aws ssm create-activation --region "$region" --iam-role "$MANAGED_INSTANCE_ROLE_NAME" \
      --registration-limit 1 --default-instance-name "$${task_arn##*/}" \
      --tags "Key=ECS_TASK_ARN,Value=$task_arn" "Key=ECS_TASK_AVAILABILITY_ZONE,Value=$zone" \
      "Key=FAULT_INJECTION_SIDECAR,Value=true" "Key=ChaosTarget,Value=$CHAOS_TARGET")
    activation_id=$(jq -er .ActivationId <<<"$activation")
    cleanup() {
      aws ssm delete-activation --region "$region" --activation-id "$activation_id" || echo "could not delete activation $activation_id" >&2
      instance_id=$(jq -er .ManagedInstanceID /var/lib/amazon/ssm/registration) &&
        aws ssm deregister-managed-instance --region "$region" --instance-id "$instance_id" || echo "could not deregister the managed instance" >&2
      kill -TERM "$agent" 2>/dev/null || true
    }
    amazon-ssm-agent -register -code "$(jq -er .ActivationCode <<<"$activation")" -id "$activation_id" -region "$region"
    amazon-ssm-agent &
    agent=$!
    trap cleanup TERM INT
    wait "$agent"
  EOT
}

################################################################################
# Cluster, logs
################################################################################

resource "aws_ecs_cluster" "this" {
  #checkov:skip=CKV_AWS_224:ECS Exec stays off (the FIS task actions refuse tasks with it), so there is no exec logging to configure
  name = var.name

  setting {
    name  = "containerInsights"
    value = var.container_insights
  }

  tags = local.tags
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:KMS is optional (kms_key_arn); the default is the CloudWatch Logs service encryption
  #checkov:skip=CKV_AWS_338:retention is a variable (log_retention_days), 30 days by default
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = local.tags
}

################################################################################
# Task definitions and services: stable and canary
################################################################################

resource "aws_ecs_task_definition" "this" {
  #checkov:skip=CKV_AWS_336:the service container has a read-only root filesystem; the sidecars (ADOT, SSM agent installing its tools) need a writable one
  for_each = local.tracks

  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.task_cpu)
  memory                   = tostring(var.task_memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  # FIS aws:ecs:task-* actions on Fargate go through the ECS fault injection endpoints (enableFaultInjection);
  # pid_mode task lets the SSM agent sidecar act on the other containers of the task.
  enable_fault_injection = true
  pid_mode               = local.fis_sidecar[each.key] ? "task" : null

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  container_definitions = local.container_definitions[each.key]

  tags = local.service_tags[each.key]
}

resource "aws_ecs_service" "stable" {
  name                               = "${var.name}-stable"
  cluster                            = aws_ecs_cluster.this.arn
  task_definition                    = aws_ecs_task_definition.this["stable"].arn
  desired_count                      = local.desired_counts["stable"]
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 30
  availability_zone_rebalancing      = "ENABLED"
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  wait_for_steady_state              = var.wait_for_steady_state

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this["stable"].arn
    container_name   = local.container_name
    container_port   = local.container_port
  }

  tags = local.service_tags["stable"]

  # Application Auto Scaling owns the stable task count after creation.
  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [
    aws_lb_listener.https,
    aws_iam_role_policy.execution,
    terraform_data.redis_auth_token,
  ]
}

resource "aws_ecs_service" "canary" {
  name                               = "${var.name}-canary"
  cluster                            = aws_ecs_cluster.this.arn
  task_definition                    = aws_ecs_task_definition.this["canary"].arn
  desired_count                      = local.desired_counts["canary"]
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 30
  availability_zone_rebalancing      = "ENABLED"
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  wait_for_steady_state              = var.wait_for_steady_state

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this["canary"].arn
    container_name   = local.container_name
    container_port   = local.container_port
  }

  tags = local.service_tags["canary"]

  depends_on = [
    aws_lb_listener.https,
    aws_iam_role_policy.execution,
    terraform_data.redis_auth_token,
  ]
}

################################################################################
# Auto scaling of the stable service
################################################################################

resource "aws_appautoscaling_target" "stable" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.stable.name}"
  min_capacity       = var.autoscaling_min_capacity
  max_capacity       = var.autoscaling_max_capacity

  tags = local.tags
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.name}-stable-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.stable.service_namespace
  scalable_dimension = aws_appautoscaling_target.stable.scalable_dimension
  resource_id        = aws_appautoscaling_target.stable.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling_cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  name               = "${var.name}-stable-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.stable.service_namespace
  scalable_dimension = aws_appautoscaling_target.stable.scalable_dimension
  resource_id        = aws_appautoscaling_target.stable.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling_requests_per_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.this["stable"].arn_suffix}"
    }
  }
}
