################################################################################
# Task execution role: pull the image, read exactly the two secrets, write the logs.
################################################################################

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name                 = "${var.name}-task-execution"
  description          = "ECS task execution role of ${var.name}: pull from ECR, read the Redis and replication secrets, write logs"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_assume.json
  permissions_boundary = var.permissions_boundary_arn
  max_session_duration = 3600

  tags = local.tags
}

data "aws_iam_policy_document" "execution" {
  #checkov:skip=CKV_AWS_107:ecr:GetAuthorizationToken is what pulling from ECR takes; it has no resource-level scope
  #checkov:skip=CKV_AWS_356:ecr:GetAuthorizationToken has no resource-level scope
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "EcrPull"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [aws_ecr_repository.this.arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:log-stream:*"]
  }

  statement {
    sid       = "Secrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.redis.arn, local.replication_token_secret_arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-secrets-logs"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

################################################################################
# Task role: only what the sidecars need. The service itself calls no AWS API.
################################################################################

locals {
  # https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/api/v1/remote_write -> the workspace ARN.
  prometheus_workspace_arn = local.adot_enabled ? format(
    "arn:%s:aps:%s:%s:workspace/%s",
    local.partition,
    regex("aps-workspaces\\.([a-z0-9-]+)\\.", var.prometheus_remote_write_url)[0],
    local.account_id,
    regex("/workspaces/([^/]+)/", var.prometheus_remote_write_url)[0],
  ) : null
}

resource "aws_iam_role" "task" {
  name                 = "${var.name}-task"
  description          = "ECS task role of ${var.name}: ADOT remote write to AMP; the SSM agent sidecar of the FIS task actions"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_assume.json
  permissions_boundary = var.permissions_boundary_arn
  max_session_duration = 3600

  tags = local.tags
}

# Without a remote-write URL the policy denies aps:RemoteWrite instead of not existing: no count on a value
# (the observability module's URL) that may be unknown at plan time.
data "aws_iam_policy_document" "task_adot" {
  statement {
    sid       = "RemoteWrite"
    effect    = local.adot_enabled ? "Allow" : "Deny"
    actions   = ["aps:RemoteWrite"]
    resources = [local.adot_enabled ? local.prometheus_workspace_arn : "*"]
  }
}

resource "aws_iam_role_policy" "task_adot" {
  name   = "adot-remote-write"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task_adot.json
}

# What the FIS user guide asks of the task role for the aws:ecs:task actions: create the SSM activation
# that registers the task as a managed instance, tag it, and pass the managed-instance role to SSM.
data "aws_iam_policy_document" "task_fis" {
  #checkov:skip=CKV_AWS_356:ssm:CreateActivation and ssm:AddTagsToResource of an activation have no resource-level scope
  #checkov:skip=CKV_AWS_111:the FIS user guide grants these two to the task role unscoped
  count = var.enable_fis_task_actions ? 1 : 0

  statement {
    sid       = "RegisterTaskAsManagedInstance"
    actions   = ["ssm:CreateActivation", "ssm:AddTagsToResource"]
    resources = ["*"]
  }

  statement {
    sid       = "PassManagedInstanceRole"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.ssm_managed_instance[0].arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ssm.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "task_fis" {
  count = var.enable_fis_task_actions ? 1 : 0

  name   = "fis-ssm-activation"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task_fis[0].json
}

################################################################################
# Role of the SSM managed instances the tasks register as (FIS aws:ecs:task actions)
################################################################################

data "aws_iam_policy_document" "ssm_assume" {
  count = var.enable_fis_task_actions ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ssm.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "ssm_managed_instance" {
  count = var.enable_fis_task_actions ? 1 : 0

  name                 = "${var.name}-ssm-instance"
  description          = "Role of the SSM managed instances the tasks of ${var.name} register as, for FIS aws:ecs:task actions"
  assume_role_policy   = data.aws_iam_policy_document.ssm_assume[0].json
  permissions_boundary = var.permissions_boundary_arn

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "ssm_managed_instance_core" {
  count = var.enable_fis_task_actions ? 1 : 0

  role       = aws_iam_role.ssm_managed_instance[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

data "aws_iam_policy_document" "ssm_managed_instance" {
  #checkov:skip=CKV_AWS_356:ssm:DeleteActivation has no resource-level scope
  count = var.enable_fis_task_actions ? 1 : 0

  statement {
    sid       = "CleanUpActivation"
    actions   = ["ssm:DeleteActivation"]
    resources = ["*"]
  }

  statement {
    sid       = "DeregisterOwnTask"
    actions   = ["ssm:DeregisterManagedInstance"]
    resources = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:managed-instance/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/ChaosTarget"
      values   = [var.name]
    }
  }
}

resource "aws_iam_role_policy" "ssm_managed_instance" {
  count = var.enable_fis_task_actions ? 1 : 0

  name   = "deregister"
  role   = aws_iam_role.ssm_managed_instance[0].id
  policy = data.aws_iam_policy_document.ssm_managed_instance[0].json
}
