# Example values: replace the placeholders (the same domain and zone as the regional stacks).
state_bucket   = "replace-with-state-bucket"
domain_name    = "example.com"
hosted_zone_id = "Z0000000REPLACEME"
primary_region = "us-east-1"
routing_policy = "failover"

tags = {
  Owner = "platform"
}
