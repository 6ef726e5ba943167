output "workspace_id" {
  description = "ID of the Amazon Managed Service for Prometheus workspace."
  value       = aws_prometheus_workspace.this.id
}

output "workspace_arn" {
  description = "ARN of the workspace (for IAM policies: aps:RemoteWrite for the ADOT sidecar, aps:Query* for readers)."
  value       = aws_prometheus_workspace.this.arn
}

output "prometheus_endpoint" {
  description = "The workspace's Prometheus endpoint, https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/ (trailing slash)."
  value       = aws_prometheus_workspace.this.prometheus_endpoint
}

output "remote_write_url" {
  description = "Remote-write URL for the ADOT sidecar (pass it to rating-service's prometheus_remote_write_url)."
  value       = "${aws_prometheus_workspace.this.prometheus_endpoint}api/v1/remote_write"
}

output "query_url" {
  description = "Base URL of the Prometheus query API, https://aps-workspaces.<region>.amazonaws.com/workspaces/<id> (no trailing slash; append /api/v1/query, SigV4-signed): the regional stack's prometheus_query_url."
  value       = trimsuffix(aws_prometheus_workspace.this.prometheus_endpoint, "/")
}

output "critical_topic_arn" {
  description = "SNS topic of pages (severity critical): PagerDuty. Pass it to rating-service's alarm_topic_arns."
  value       = aws_sns_topic.critical.arn
}

output "warning_topic_arn" {
  description = "SNS topic of tickets (severity warning): Slack through AWS Chatbot, or the warning_topic_subscriptions."
  value       = aws_sns_topic.warning.arn
}

output "rule_group_namespaces" {
  description = "Names of the rule group namespaces, one per rule file of templates/observability/prometheus/rules."
  value       = sort([for ns in aws_prometheus_rule_group_namespace.rules : ns.name])
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the topics and the workspace's log group."
  value       = aws_kms_key.observability.arn
}
