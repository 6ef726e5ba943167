output "stop_tasks_template_id" {
  description = "ID of the FIS experiment template that stops the stable tasks (aws fis start-experiment --experiment-template-id <id>)."
  value       = aws_fis_experiment_template.stop_tasks.id
}

output "latency_template_id" {
  description = "ID of the FIS experiment template that adds network latency to the stable tasks."
  value       = aws_fis_experiment_template.latency.id
}

output "role_arn" {
  description = "ARN of the IAM role FIS assumes for both experiments."
  value       = aws_iam_role.fis.arn
}

output "log_group_name" {
  description = "CloudWatch Logs group of the experiment logs."
  value       = aws_cloudwatch_log_group.this.name
}
