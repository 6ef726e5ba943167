output "dns_name" {
  description = "The global name of the service: rating.<domain>."
  value       = module.global_dns.dns_name
}

output "primary_region" {
  description = "Region the failover record answers while it is healthy."
  value       = module.global_dns.primary_region
}

output "secondary_region" {
  description = "Region the failover record answers while the primary is unhealthy."
  value       = module.global_dns.secondary_region
}

output "primary_target" {
  description = "The CNAME target the failover record answers while the primary is healthy: the primary ALB's DNS name."
  value       = module.global_dns.primary_target
}

output "health_check_ids" {
  description = "Route 53 health check id by region."
  value       = module.global_dns.health_check_ids
}

output "regional_names" {
  description = "Regional name by region: <region>.<domain>."
  value       = module.global_dns.regional_names
}
