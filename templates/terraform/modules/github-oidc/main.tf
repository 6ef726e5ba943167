data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id

  tags = merge(var.tags, { Service = "rating" })

  issuer            = "token.actions.githubusercontent.com"
  oidc_provider_arn = coalesce(var.existing_oidc_provider_arn, try(aws_iam_openid_connect_provider.github[0].arn, null))

  # The exact subjects of the contract; nothing else can assume the roles.
  subjects = {
    plan = [
      "repo:${var.github_repository}:pull_request",
      "repo:${var.github_repository}:ref:refs/heads/${var.branch}",
    ]
    apply = ["repo:${var.github_repository}:environment:${var.apply_environment}"]
    drill = ["repo:${var.github_repository}:environment:${var.drill_environment}"]
  }

  role_names = { for role in keys(local.subjects) : role => "${var.name_prefix}-github-${role}" }

  state_objects   = "${var.state_bucket_arn}/${var.state_key_prefix}/*"
  state_lockfiles = "${var.state_bucket_arn}/${var.state_key_prefix}/*.tflock"

  # Everything the stacks name starts with the prefix.
  own_roles   = "arn:${local.partition}:iam::${local.account_id}:role/${var.name_prefix}-*"
  own_secrets = "arn:${local.partition}:secretsmanager:*:${local.account_id}:secret:${var.name_prefix}*"
  zone_arns   = length(var.hosted_zone_ids) > 0 ? [for z in var.hosted_zone_ids : "arn:${local.partition}:route53:::hostedzone/${z}"] : ["arn:${local.partition}:route53:::hostedzone/*"]
}

################################################################################
# The OIDC provider
################################################################################

resource "aws_iam_openid_connect_provider" "github" {
  count = var.existing_oidc_provider_arn == null ? 1 : 0

  url            = "https://${local.issuer}"
  client_id_list = ["sts.amazonaws.com"]

  tags = local.tags
}

data "aws_iam_policy_document" "trust" {
  for_each = local.subjects

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = each.value
    }
  }
}

################################################################################
# State access shared by the roles
################################################################################

data "aws_iam_policy_document" "state_read" {
  statement {
    sid       = "ListStatePrefix"
    actions   = ["s3:ListBucket"]
    resources = [var.state_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.state_key_prefix}/*"]
    }
  }

  statement {
    sid       = "ReadState"
    actions   = ["s3:GetObject"]
    resources = [local.state_objects]
  }

  dynamic "statement" {
    for_each = var.state_kms_key_arn != null ? [var.state_kms_key_arn] : []

    content {
      sid       = "DecryptState"
      actions   = ["kms:Decrypt", "kms:DescribeKey"]
      resources = [statement.value]
    }
  }
}

# Plan: read the state, take and release the lock (the .tflock objects next to it).
data "aws_iam_policy_document" "state_lock" {
  source_policy_documents = [data.aws_iam_policy_document.state_read.json]

  statement {
    sid       = "LockFiles"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = [local.state_lockfiles]
  }

  dynamic "statement" {
    for_each = var.state_kms_key_arn != null ? [var.state_kms_key_arn] : []

    content {
      sid       = "EncryptLockFiles"
      actions   = ["kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}

# Apply: write the state and the lock files.
data "aws_iam_policy_document" "state_write" {
  source_policy_documents = [data.aws_iam_policy_document.state_lock.json]

  statement {
    sid       = "WriteState"
    actions   = ["s3:PutObject"]
    resources = [local.state_objects]
  }
}

################################################################################
# Plan role: AWS managed ReadOnlyAccess + the state + what plan itself calls
################################################################################

resource "aws_iam_role" "plan" {
  name                 = local.role_names["plan"]
  description          = "GitHub Actions terraform plan of ${var.github_repository} (pull requests and ${var.branch}): read-only"
  assume_role_policy   = data.aws_iam_policy_document.trust["plan"].json
  max_session_duration = var.max_session_duration

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "plan_read_only" {
  role       = aws_iam_role.plan.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

data "aws_iam_policy_document" "plan" {
  #checkov:skip=CKV_AWS_356:secretsmanager:GetRandomPassword has no resource-level scope
  source_policy_documents = [data.aws_iam_policy_document.state_lock.json]

  # Opening the ephemeral aws_secretsmanager_random_password during plan.
  statement {
    sid       = "EphemeralPasswords"
    actions   = ["secretsmanager:GetRandomPassword"]
    resources = ["*"]
  }

  # Refreshing aws_secretsmanager_secret_version reads the version (ReadOnlyAccess has no GetSecretValue);
  # limited to the stacks' own secrets.
  statement {
    sid       = "RefreshOwnSecretVersions"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.own_secrets]
  }
}

resource "aws_iam_role_policy" "plan" {
  name   = "state-and-plan"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan.json
}

################################################################################
# Apply role: the services the stacks create, IAM only on the stacks' own roles, within allowed_regions
################################################################################

resource "aws_iam_role" "apply" {
  name                 = local.role_names["apply"]
  description          = "GitHub Actions terraform apply of ${var.github_repository} (environment ${var.apply_environment})"
  assume_role_policy   = data.aws_iam_policy_document.trust["apply"].json
  max_session_duration = var.max_session_duration
  permissions_boundary = var.apply_permissions_boundary_arn

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "apply_read_only" {
  role       = aws_iam_role.apply.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

data "aws_iam_policy_document" "apply_services" {
  #checkov:skip=CKV_AWS_356:the apply role manages whole services the stacks create (see README: scope of the apply role)
  #checkov:skip=CKV_AWS_111:write access to the stacks' services is the apply role's purpose; limited by region and names where IAM allows
  #checkov:skip=CKV_AWS_109:IAM only on the stacks' own roles, in apply_iam
  #checkov:skip=CKV_AWS_289:the apply role manages the stacks' services (see README)
  #checkov:skip=CKV_AWS_290:write access to the stacks' services is the apply role's purpose
  #checkov:skip=CKV_AWS_286:escalation is bounded by the role-name scope, PassRole services and the optional permissions boundary
  #checkov:skip=CKV_AWS_287:ecr:GetAuthorizationToken (ecr:*) is needed to push the service image
  #checkov:skip=CKV_AWS_288:secrets limited to the stacks' own names; KMS keys to the Service = rating tag
  source_policy_documents = [data.aws_iam_policy_document.state_write.json]

  # network, rating-service, chaos, observability: VPC, ALB, ECS, ECR, ElastiCache, logs, alarms, dashboards,
  # auto scaling, certificates, FIS templates, AMP, SNS.
  statement {
    sid = "ManageStackServices"
    actions = [
      "ec2:*",
      "elasticloadbalancing:*",
      "ecs:*",
      "ecr:*",
      "elasticache:*",
      "logs:*",
      "cloudwatch:*",
      "application-autoscaling:*",
      "acm:*",
      "fis:*",
      "aps:*",
      "sns:*",
    ]
    resources = ["*"]
  }

  # KMS keys of the stacks (observability's key of the alert topics): created only with the tag
  # Service = rating (the stacks' default_tags), managed only while they carry it; aliases by prefix.
  statement {
    sid       = "CreateRatingKeys"
    actions   = ["kms:CreateKey", "kms:TagResource"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Service"
      values   = ["rating"]
    }
  }

  statement {
    sid       = "ManageRatingKeys"
    actions   = ["kms:*"]
    resources = ["arn:${local.partition}:kms:*:${local.account_id}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Service"
      values   = ["rating"]
    }
  }

  statement {
    sid       = "ManageRatingKeyAliases"
    actions   = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
    resources = ["arn:${local.partition}:kms:*:${local.account_id}:alias/${var.name_prefix}*"]
  }

  statement {
    sid       = "ManageOwnSecrets"
    actions   = ["secretsmanager:*"]
    resources = [local.own_secrets]
  }

  statement {
    sid       = "EphemeralPasswords"
    actions   = ["secretsmanager:GetRandomPassword"]
    resources = ["*"]
  }

  statement {
    sid       = "Route53Records"
    actions   = ["route53:ChangeResourceRecordSets", "route53:ChangeTagsForResource"]
    resources = local.zone_arns
  }

  statement {
    sid = "Route53HealthChecks"
    actions = [
      "route53:CreateHealthCheck",
      "route53:UpdateHealthCheck",
      "route53:DeleteHealthCheck",
      "route53:ChangeTagsForResource",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "ServiceLinkedRoles"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values = [
        "ecs.amazonaws.com",
        "ecs.application-autoscaling.amazonaws.com",
        "elasticache.amazonaws.com",
        "elasticloadbalancing.amazonaws.com",
        "fis.amazonaws.com",
        "aps.amazonaws.com",
      ]
    }
  }
}

resource "aws_iam_policy" "apply_services" {
  name        = "${var.name_prefix}-github-apply-services"
  description = "What terraform apply of the rating stacks manages (besides IAM)"
  policy      = data.aws_iam_policy_document.apply_services.json

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "apply_services" {
  role       = aws_iam_role.apply.name
  policy_arn = aws_iam_policy.apply_services.arn
}

data "aws_iam_policy_document" "apply_iam" {
  #checkov:skip=CKV_AWS_356:the region deny and the KeepBoundaries deny apply to every resource
  #checkov:skip=CKV_AWS_109:IAM writes only on <name_prefix>-* roles, with the boundary condition when set
  #checkov:skip=CKV_AWS_111:IAM writes only on <name_prefix>-* roles
  #checkov:skip=CKV_AWS_286:CreateRole/PutRolePolicy on own roles only; PassRole to four services; boundary condition when set
  # The stacks' own roles: task, task execution, SSM managed instance, FIS, flow logs (<name_prefix>-*).
  statement {
    sid = "ManageOwnRoles"
    actions = [
      "iam:CreateRole",
      "iam:DeleteRole",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
      "iam:UpdateAssumeRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:PutRolePolicy",
      "iam:DeleteRolePolicy",
    ]
    resources = [local.own_roles]

    dynamic "condition" {
      for_each = var.apply_permissions_boundary_arn != null ? [var.apply_permissions_boundary_arn] : []

      content {
        test     = "StringEquals"
        variable = "iam:PermissionsBoundary"
        values   = [condition.value]
      }
    }
  }

  # The one AWS managed policy a stack attaches (the SSM managed-instance role of the FIS task actions).
  statement {
    sid       = "AttachSsmCore"
    actions   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
    resources = [local.own_roles]

    condition {
      test     = "ArnEquals"
      variable = "iam:PolicyARN"
      values   = ["arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"]
    }
  }

  statement {
    sid       = "PassOwnRoles"
    actions   = ["iam:PassRole"]
    resources = [local.own_roles]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com", "fis.amazonaws.com", "vpc-flow-logs.amazonaws.com", "ssm.amazonaws.com"]
    }
  }

  # Never the GitHub roles themselves (they match the prefix too): those change only through bootstrap.
  statement {
    sid       = "NotTheGithubRoles"
    effect    = "Deny"
    actions   = ["iam:*"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.name_prefix}-github-*"]
  }

  # Regional services only in the allowed regions.
  statement {
    sid         = "OnlyAllowedRegions"
    effect      = "Deny"
    not_actions = ["iam:*", "route53:*", "sts:*", "s3:*"]
    resources   = ["*"]

    condition {
      test     = "StringNotEquals"
      variable = "aws:RequestedRegion"
      values   = var.allowed_regions
    }
  }
}

resource "aws_iam_role_policy" "apply_iam" {
  name   = "own-iam-roles"
  role   = aws_iam_role.apply.id
  policy = data.aws_iam_policy_document.apply_iam.json
}

################################################################################
# Drill role: run the FIS templates, flip a health check, read the stack outputs
################################################################################

resource "aws_iam_role" "drill" {
  name                 = local.role_names["drill"]
  description          = "GitHub Actions failover drills of ${var.github_repository} (environment ${var.drill_environment})"
  assume_role_policy   = data.aws_iam_policy_document.trust["drill"].json
  max_session_duration = var.max_session_duration

  tags = local.tags
}

data "aws_iam_policy_document" "drill" {
  #checkov:skip=CKV_AWS_356:fis:ListExperimentTemplates/ListExperiments/GetExperimentTemplate are read-only listing
  source_policy_documents = [data.aws_iam_policy_document.state_read.json]

  # Only templates of the rating service (tag Service = rating), in the allowed regions.
  statement {
    sid       = "StartRatingExperiments"
    actions   = ["fis:StartExperiment"]
    resources = ["arn:${local.partition}:fis:*:${local.account_id}:experiment-template/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Service"
      values   = ["rating"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = var.allowed_regions
    }
  }

  statement {
    sid       = "RunExperiments"
    actions   = ["fis:StartExperiment", "fis:StopExperiment", "fis:GetExperiment", "fis:TagResource"]
    resources = ["arn:${local.partition}:fis:*:${local.account_id}:experiment/*"]
  }

  statement {
    sid       = "ReadTemplates"
    actions   = ["fis:GetExperimentTemplate", "fis:ListExperimentTemplates", "fis:ListExperiments"]
    resources = ["*"]
  }

  statement {
    sid       = "PassFisRoles"
    actions   = ["iam:PassRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.name_prefix}-*-fis"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["fis.amazonaws.com"]
    }
  }

  # FIS creates its service-linked role (stop conditions, monitoring) at the first experiment of an account.
  statement {
    sid       = "FisServiceLinkedRole"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/aws-service-role/fis.amazonaws.com/*"]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["fis.amazonaws.com"]
    }
  }

  statement {
    sid       = "FlipHealthChecks"
    actions   = ["route53:UpdateHealthCheck", "route53:GetHealthCheck", "route53:GetHealthCheckStatus"]
    resources = ["arn:${local.partition}:route53:::healthcheck/*"]
  }
}

resource "aws_iam_role_policy" "drill" {
  name   = "fis-health-checks-outputs"
  role   = aws_iam_role.drill.id
  policy = data.aws_iam_policy_document.drill.json
}
