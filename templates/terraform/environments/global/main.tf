locals {
  regions = toset(["us-east-1", "eu-west-1"])
}

# The regional stacks' outputs (alb_dns_name, ...), read from their state in the same bucket.
data "terraform_remote_state" "region" {
  for_each = local.regions

  backend = "s3"

  config = {
    bucket = var.state_bucket
    key    = "rating/${each.key}/terraform.tfstate"
    region = var.state_bucket_region
  }
}

module "global_dns" {
  source = "../../modules/global-dns"

  name           = var.global_name
  domain_name    = var.domain_name
  hosted_zone_id = var.hosted_zone_id
  primary_region = var.primary_region
  routing_policy = var.routing_policy
  ttl            = 60

  regions = {
    for region, state in data.terraform_remote_state.region : region => {
      alb_dns_name = state.outputs.alb_dns_name
    }
  }

  health_check_request_interval  = var.health_check_request_interval
  health_check_failure_threshold = var.health_check_failure_threshold
  tags                           = var.tags
}
