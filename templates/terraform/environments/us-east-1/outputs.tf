output "region" {
  description = "Region of this stack."
  value       = local.region
}

output "service_url" {
  description = "Base URL of this region: https://<region>.<domain> (the name exists once environments/global is applied)."
  value       = "https://${local.regional_name}"
}

output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = module.rating_service.alb_dns_name
}

output "alb_zone_id" {
  description = "Route 53 zone id of the load balancer."
  value       = module.rating_service.alb_zone_id
}

output "alb_arn_suffix" {
  description = "ARN suffix of the load balancer (LoadBalancer dimension of the ALB metrics)."
  value       = module.rating_service.alb_arn_suffix
}

output "stable_target_group_arn_suffix" {
  description = "ARN suffix of the stable target group (TargetGroup dimension)."
  value       = module.rating_service.stable_target_group_arn_suffix
}

output "canary_target_group_arn_suffix" {
  description = "ARN suffix of the canary target group (TargetGroup dimension)."
  value       = module.rating_service.canary_target_group_arn_suffix
}

output "ecr_repository_url" {
  description = "ECR repository of this region to push the service image to."
  value       = module.rating_service.ecr_repository_url
}

output "stable_image" {
  description = "Image the stable service runs."
  value       = module.rating_service.stable_image
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = module.rating_service.cluster_name
}

output "stable_service_name" {
  description = "Name of the stable ECS service."
  value       = module.rating_service.stable_service_name
}

output "canary_service_name" {
  description = "Name of the canary ECS service."
  value       = module.rating_service.canary_service_name
}

output "fis_stop_tasks_template_id" {
  description = "FIS experiment template that stops stable tasks."
  value       = module.chaos.stop_tasks_template_id
}

output "fis_latency_template_id" {
  description = "FIS experiment template that adds network latency to the stable tasks."
  value       = module.chaos.latency_template_id
}

output "prometheus_query_url" {
  description = "AMP workspace query endpoint (https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>), null when observability is off."
  value       = module.observability.query_url
}

output "dashboard_url" {
  description = "CloudWatch dashboard of the region."
  value       = module.rating_service.dashboard_url
}
