################################################################################
# Amazon Managed Service for Prometheus for one region of the rating service: the workspace the ADOT sidecar
# remote-writes to, the alert and recording rules of templates/observability/prometheus/rules (read from there,
# never copied), the alert manager definition built from templates/observability/alertmanager/alertmanager.yml
# (its route and inhibit_rules as they are; its receivers replaced by SNS, the only receiver AMP supports), and
# the SNS topics pages and tickets go to, which the rating-service module's CloudWatch alarms use too.
################################################################################

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  observability_dir = "${path.module}/../../../observability"
  rules_dir         = "${local.observability_dir}/prometheus/rules"
  rule_files        = fileset(local.rules_dir, "*.yml")

  shared_alertmanager = yamldecode(file("${local.observability_dir}/alertmanager/alertmanager.yml"))

  # Each receiver of the shared file, by name, becomes an SNS receiver of this topic.
  receiver_topics = {
    "pagerduty-critical" = aws_sns_topic.critical.arn
    "slack-warnings"     = aws_sns_topic.warning.arn
  }

  amp_alertmanager_config = {
    route         = local.shared_alertmanager.route
    inhibit_rules = local.shared_alertmanager.inhibit_rules
    receivers = [
      for receiver in local.shared_alertmanager.receivers : {
        name = receiver.name
        sns_configs = [{
          topic_arn = lookup(local.receiver_topics, receiver.name, "")
          sigv4     = { region = data.aws_region.current.region }
          subject   = "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} in {{ .CommonLabels.region }}"
          message   = "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n\n{{ end }}"
          attributes = {
            alertname = "{{ .CommonLabels.alertname }}"
            region    = "{{ .CommonLabels.region }}"
            severity  = "{{ .CommonLabels.severity }}"
            status    = "{{ .Status }}"
          }
        }]
      }
    ]
  }

  tags = merge(var.tags, { Module = "observability" })
}

################################################################################
# Workspace and its log group
################################################################################

resource "aws_cloudwatch_log_group" "amp" {
  name              = "/aws/vendedlogs/prometheus/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.observability.arn
  tags              = local.tags
}

resource "aws_prometheus_workspace" "this" {
  alias = var.name

  logging_configuration {
    log_group_arn = "${aws_cloudwatch_log_group.amp.arn}:*"
  }

  tags = local.tags
}

resource "aws_prometheus_rule_group_namespace" "rules" {
  for_each = local.rule_files

  name         = trimsuffix(each.value, ".yml")
  workspace_id = aws_prometheus_workspace.this.id
  data         = file("${local.rules_dir}/${each.value}")
  tags         = local.tags
}

resource "aws_prometheus_alert_manager_definition" "this" {
  workspace_id = aws_prometheus_workspace.this.id
  definition = yamlencode({
    alertmanager_config = yamlencode(local.amp_alertmanager_config)
  })

  lifecycle {
    precondition {
      condition     = alltrue([for receiver in local.shared_alertmanager.receivers : contains(keys(local.receiver_topics), receiver.name)])
      error_message = "Every receiver of templates/observability/alertmanager/alertmanager.yml must map to an SNS topic in local.receiver_topics of modules/observability."
    }
  }
}

################################################################################
# SNS topics: critical (pages: PagerDuty) and warning (tickets), KMS encrypted
################################################################################

data "aws_iam_policy_document" "kms" {
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "AlertPublishersEncrypt"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["aps.amazonaws.com", "cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  statement {
    sid       = "LogsEncryptTheWorkspaceLogGroup"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:log-group:/aws/vendedlogs/prometheus/${var.name}"]
    }
  }
}

resource "aws_kms_key" "observability" {
  description             = "${var.name}: alert topics and the Prometheus workspace's log group"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
  tags                    = local.tags
}

resource "aws_kms_alias" "observability" {
  name          = "alias/${var.name}-observability"
  target_key_id = aws_kms_key.observability.key_id
}

resource "aws_sns_topic" "critical" {
  name              = "${var.name}-critical"
  display_name      = "${var.name} pages"
  kms_master_key_id = aws_kms_key.observability.arn
  tags              = merge(local.tags, { Severity = "critical" })
}

resource "aws_sns_topic" "warning" {
  name              = "${var.name}-warning"
  display_name      = "${var.name} tickets"
  kms_master_key_id = aws_kms_key.observability.arn
  tags              = merge(local.tags, { Severity = "warning" })
}

data "aws_iam_policy_document" "topic" {
  for_each = {
    critical = aws_sns_topic.critical.arn
    warning  = aws_sns_topic.warning.arn
  }

  statement {
    sid       = "AccountManages"
    actions   = ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"]
    resources = [each.value]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "PrometheusWorkspacePublishes"
    actions   = ["sns:Publish", "sns:GetTopicAttributes"]
    resources = [each.value]
    principals {
      type        = "Service"
      identifiers = ["aps.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_prometheus_workspace.this.arn]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [each.value]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [each.value]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "critical" {
  arn    = aws_sns_topic.critical.arn
  policy = data.aws_iam_policy_document.topic["critical"].json
}

resource "aws_sns_topic_policy" "warning" {
  arn    = aws_sns_topic.warning.arn
  policy = data.aws_iam_policy_document.topic["warning"].json
}

resource "aws_sns_topic_subscription" "pagerduty" {
  count = nonsensitive(var.pagerduty_integration_url != null) ? 1 : 0

  topic_arn              = aws_sns_topic.critical.arn
  protocol               = "https"
  endpoint               = var.pagerduty_integration_url
  endpoint_auto_confirms = true
}

resource "aws_sns_topic_subscription" "warning" {
  for_each = { for i, s in var.warning_topic_subscriptions : "${i}-${s.protocol}" => s }

  topic_arn = aws_sns_topic.warning.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}
