output "dns_name" {
  description = "The global name of the service: <name>.<domain_name>."
  value       = local.dns_name
}

output "routing_policy" {
  description = "Routing policy of the global name: failover or latency."
  value       = var.routing_policy
}

output "primary_region" {
  description = "Region the failover record answers while it is healthy."
  value       = var.primary_region
}

output "secondary_region" {
  description = "Region the failover record answers while the primary is unhealthy (null with latency routing)."
  value       = local.secondary_region
}

output "primary_target" {
  description = "The CNAME target the global name answers while the primary is healthy: the primary load balancer's DNS name."
  value       = var.regions[var.primary_region].alb_dns_name
}

output "health_check_ids" {
  description = "Route 53 health check id by region."
  value       = { for region, hc in aws_route53_health_check.this : region => hc.id }
}

output "regional_names" {
  description = "Regional name by region: <region>.<domain_name>."
  value       = local.regional_names
}

output "regional_urls" {
  description = "Base URL by region: https://<region>.<domain_name>."
  value       = { for region, fqdn in local.regional_names : region => "https://${fqdn}" }
}
