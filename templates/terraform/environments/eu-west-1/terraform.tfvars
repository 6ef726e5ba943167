# Example values: replace the placeholders. The release (images, canary weight) is in release.auto.tfvars.json.
domain_name    = "example.com"
hosted_zone_id = "Z0000000REPLACEME"
vpc_cidr       = "10.20.0.0/16"

desired_count            = 2
autoscaling_min_capacity = 2
autoscaling_max_capacity = 10
task_cpu                 = 512
task_memory              = 1024
redis_node_type          = "cache.t4g.small"

nat_gateway_per_az = true
enable_flow_logs   = true

# Sensitive: pass it as TF_VAR_pagerduty_integration_url from a secret rather than committing it here.
# pagerduty_integration_url = "https://events.pagerduty.com/integration/REPLACE_WITH_KEY/enqueue"

tags = {
  Owner = "platform"
}
