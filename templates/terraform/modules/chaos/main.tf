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

  cluster_arn = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:cluster/${var.cluster_name}"

  # Stop conditions: one per alarm, or "none" (FIS requires at least one stop_condition block).
  stop_conditions = length(var.stop_condition_alarm_arns) > 0 ? [
    for arn in var.stop_condition_alarm_arns : { source = "aws:cloudwatch:alarm", value = arn }
  ] : [{ source = "none", value = null }]

}

################################################################################
# Experiment logs
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs service encryption for the experiment logs
  #checkov:skip=CKV_AWS_338:retention is a variable (log_retention_days), 30 days by default
  name              = "/fis/${var.name}"
  retention_in_days = var.log_retention_days

  tags = local.tags
}

################################################################################
# The role FIS assumes
################################################################################

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["fis.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:fis:${local.region}:${local.account_id}:experiment/*"]
    }
  }
}

resource "aws_iam_role" "fis" {
  name                 = "${var.name}-fis"
  description          = "Role AWS FIS assumes for the ${var.name} drills: stop and slow down the tagged ECS tasks"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.permissions_boundary_arn

  tags = local.tags
}

data "aws_iam_policy_document" "fis" {
  #checkov:skip=CKV_AWS_356:tag:GetResources, ec2:Describe*, ecs:ListTasks (cluster condition), ssm:ListCommands/CancelCommand and the logs delivery actions have no resource-level scope
  #checkov:skip=CKV_AWS_111:ecs:ListTasks is limited by the ecs:cluster condition; logs:CreateLogDelivery/PutResourcePolicy are what FIS log delivery needs
  # Target resolution (the permissions the FIS actions reference lists for aws:ecs:stop-task and
  # aws:ecs:task-network-latency): tasks by tag, listed in the cluster and described. tag:GetResources and
  # the EC2 describes have no resource-level scope; ListTasks is limited by the ecs:cluster condition.
  statement {
    sid       = "FindTasksByTag"
    actions   = ["tag:GetResources", "ec2:DescribeInstances", "ec2:DescribeSubnets"]
    resources = ["*"]
  }

  statement {
    sid       = "ListClusterTasks"
    actions   = ["ecs:ListTasks", "ecs:DescribeContainerInstances"]
    resources = ["*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.cluster_arn]
    }
  }

  statement {
    sid       = "DescribeClusterTasks"
    actions   = ["ecs:DescribeTasks"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${var.cluster_name}/*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.cluster_arn]
    }
  }

  # aws:ecs:stop-task, only on tasks tagged ChaosTarget = <value>.
  statement {
    sid       = "StopTaggedTasks"
    actions   = ["ecs:StopTask"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${var.cluster_name}/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/ChaosTarget"
      values   = [var.chaos_target_tag_value]
    }
  }

  # aws:ecs:task-network-latency runs the AWSFIS-Run-Network-Latency-ECS document on the SSM managed
  # instances the tasks registered as (the sidecar tags them ChaosTarget = <value>).
  statement {
    sid     = "RunFisDocumentsOnTaggedTasks"
    actions = ["ssm:SendCommand"]
    resources = [
      "arn:${local.partition}:ssm:${local.region}:${local.account_id}:managed-instance/*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/ChaosTarget"
      values   = [var.chaos_target_tag_value]
    }
  }

  statement {
    sid       = "LatencyDocument"
    actions   = ["ssm:SendCommand"]
    resources = ["arn:${local.partition}:ssm:${local.region}::document/AWSFIS-Run-Network-Latency-ECS"]
  }

  statement {
    sid       = "FollowCommands"
    actions   = ["ssm:ListCommands", "ssm:CancelCommand"]
    resources = ["*"]
  }

  # Delivery of the experiment log to CloudWatch Logs.
  statement {
    sid       = "LogDelivery"
    actions   = ["logs:CreateLogDelivery", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "fis" {
  name   = "ecs-task-faults"
  role   = aws_iam_role.fis.id
  policy = data.aws_iam_policy_document.fis.json
}

################################################################################
# (a) Stop a share of the stable service's tasks
################################################################################

resource "aws_fis_experiment_template" "stop_tasks" {
  description = "Stop ${var.stop_tasks_selection_mode} of the stable tasks of ${var.name} (ECS replaces them; the ALB and Route 53 health checks show how the region copes)"
  role_arn    = aws_iam_role.fis.arn

  action {
    name      = "stop-tasks"
    action_id = "aws:ecs:stop-task"

    target {
      key   = "Tasks"
      value = "stable-tasks"
    }
  }

  target {
    name           = "stable-tasks"
    resource_type  = "aws:ecs:task"
    selection_mode = var.stop_tasks_selection_mode

    resource_tag {
      key   = "ChaosTarget"
      value = var.chaos_target_tag_value
    }
  }

  dynamic "stop_condition" {
    for_each = local.stop_conditions

    content {
      source = stop_condition.value.source
      value  = stop_condition.value.value
    }
  }

  log_configuration {
    log_schema_version = 2

    cloudwatch_logs_configuration {
      log_group_arn = "${aws_cloudwatch_log_group.this.arn}:*"
    }
  }

  experiment_options {
    empty_target_resolution_mode = "fail"
  }

  tags = merge(local.tags, { Name = "${var.name}-stop-tasks" })
}

################################################################################
# (b) Add network latency to the stable service's tasks
################################################################################

resource "aws_fis_experiment_template" "latency" {
  description = "Add ${var.latency_delay_ms} ms of network latency to ${var.latency_selection_mode} of the stable tasks of ${var.name} for ${var.latency_duration_minutes} min"
  role_arn    = aws_iam_role.fis.arn

  action {
    name      = "network-latency"
    action_id = "aws:ecs:task-network-latency"

    parameter {
      key   = "duration"
      value = "PT${var.latency_duration_minutes}M"
    }

    parameter {
      key   = "delayMilliseconds"
      value = tostring(var.latency_delay_ms)
    }

    parameter {
      key   = "jitterMilliseconds"
      value = tostring(var.latency_jitter_ms)
    }

    # Fargate: inject through the ECS fault injection endpoints (task definitions have enableFaultInjection).
    parameter {
      key   = "useEcsFaultInjectionEndpoints"
      value = "true"
    }

    target {
      key   = "Tasks"
      value = "stable-tasks"
    }
  }

  target {
    name           = "stable-tasks"
    resource_type  = "aws:ecs:task"
    selection_mode = var.latency_selection_mode

    resource_tag {
      key   = "ChaosTarget"
      value = var.chaos_target_tag_value
    }
  }

  dynamic "stop_condition" {
    for_each = local.stop_conditions

    content {
      source = stop_condition.value.source
      value  = stop_condition.value.value
    }
  }

  log_configuration {
    log_schema_version = 2

    cloudwatch_logs_configuration {
      log_group_arn = "${aws_cloudwatch_log_group.this.arn}:*"
    }
  }

  experiment_options {
    empty_target_resolution_mode = "fail"
  }

  tags = merge(local.tags, { Name = "${var.name}-network-latency" })
}
