output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "stable_service_name" {
  description = "Name of the stable ECS service."
  value       = aws_ecs_service.stable.name
}

output "canary_service_name" {
  description = "Name of the canary ECS service (0 tasks while canary_image is null)."
  value       = aws_ecs_service.canary.name
}

output "stable_image" {
  description = "Image the stable service runs."
  value       = var.stable_image
}

output "canary_image" {
  description = "Image the canary service runs, or null."
  value       = var.canary_image
}

output "canary_weight" {
  description = "Percent of the requests the listener forwards to the canary target group."
  value       = var.canary_weight
}

output "alb_arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "alb_arn_suffix" {
  description = "ARN suffix of the load balancer (the LoadBalancer dimension of AWS/ApplicationELB metrics)."
  value       = aws_lb.this.arn_suffix
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (the target of the Route 53 CNAME records)."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Route 53 hosted zone id of the load balancer (for alias records)."
  value       = aws_lb.this.zone_id
}

output "https_listener_arn" {
  description = "ARN of the HTTPS listener with the weighted forward."
  value       = aws_lb_listener.https.arn
}

output "stable_target_group_arn" {
  description = "ARN of the stable target group."
  value       = aws_lb_target_group.this["stable"].arn
}

output "stable_target_group_arn_suffix" {
  description = "ARN suffix of the stable target group (the TargetGroup dimension of AWS/ApplicationELB metrics)."
  value       = aws_lb_target_group.this["stable"].arn_suffix
}

output "canary_target_group_arn" {
  description = "ARN of the canary target group."
  value       = aws_lb_target_group.this["canary"].arn
}

output "canary_target_group_arn_suffix" {
  description = "ARN suffix of the canary target group (the TargetGroup dimension of AWS/ApplicationELB metrics)."
  value       = aws_lb_target_group.this["canary"].arn_suffix
}

output "ecr_repository_url" {
  description = "URL of the ECR repository to push the service image to."
  value       = aws_ecr_repository.this.repository_url
}

output "ecr_repository_arn" {
  description = "ARN of the ECR repository."
  value       = aws_ecr_repository.this.arn
}

output "task_security_group_id" {
  description = "Security group of the tasks."
  value       = aws_security_group.tasks.id
}

output "task_role_arn" {
  description = "ARN of the task role (ADOT remote write; SSM activation of the FIS task actions)."
  value       = aws_iam_role.task.arn
}

output "execution_role_arn" {
  description = "ARN of the task execution role."
  value       = aws_iam_role.execution.arn
}

output "log_group_name" {
  description = "CloudWatch Logs group of the tasks (streams <track>/..., <track>-adot/..., <track>-ssm-agent/...)."
  value       = aws_cloudwatch_log_group.this.name
}

output "redis_primary_endpoint" {
  description = "Primary endpoint address of the Redis replication group."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "redis_replication_group_id" {
  description = "ID of the Redis replication group."
  value       = aws_elasticache_replication_group.this.id
}

output "redis_secret_arn" {
  description = "ARN of the secret holding the Redis AUTH token and REDIS_URL (keys auth_token, url)."
  value       = aws_secretsmanager_secret.redis.arn
}

output "replication_token_secret_arn" {
  description = "ARN of the secret the tasks read REPLICATION_TOKEN from."
  value       = local.replication_token_secret_arn
}

output "chaos_target_tag" {
  description = "The tag (key and value) on the services and their tasks that the chaos module selects targets by."
  value       = { key = "ChaosTarget", value = var.name }
}

output "alarm_arns" {
  description = "ARNs of the alarms by name: <track>-error-ratio, <track>-p99-latency, <track>-unhealthy-hosts (track stable or canary) and stable-running-tasks."
  value = merge(
    { for track, a in aws_cloudwatch_metric_alarm.error_ratio : "${track}-error-ratio" => a.arn },
    { for track, a in aws_cloudwatch_metric_alarm.p99_latency : "${track}-p99-latency" => a.arn },
    { for track, a in aws_cloudwatch_metric_alarm.unhealthy_hosts : "${track}-unhealthy-hosts" => a.arn },
    { "stable-running-tasks" = aws_cloudwatch_metric_alarm.running_tasks.arn },
  )
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard of the region."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard of the region."
  value       = "https://${local.region}.console.aws.amazon.com/cloudwatch/home?region=${local.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this.dashboard_name}"
}
