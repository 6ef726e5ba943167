locals {
  tags = merge(var.tags, { Service = "rating" })

  dns_name         = "${var.name}.${var.domain_name}"
  regional_names   = { for region in keys(var.regions) : region => "${region}.${var.domain_name}" }
  secondary_region = var.routing_policy == "failover" ? one([for r in keys(var.regions) : r if r != var.primary_region]) : null
  failover_role    = { for r in keys(var.regions) : r => r == var.primary_region ? "PRIMARY" : "SECONDARY" }
}

################################################################################
# One HTTPS health check per region, on its regional name
################################################################################

resource "aws_route53_health_check" "this" {
  for_each = var.regions

  type              = "HTTPS"
  fqdn              = local.regional_names[each.key]
  port              = 443
  resource_path     = var.health_check_path
  enable_sni        = true
  request_interval  = var.health_check_request_interval
  failure_threshold = var.health_check_failure_threshold
  measure_latency   = true
  regions           = var.health_check_regions
  reference_name    = substr("rating-${each.key}", 0, 28)

  tags = merge(local.tags, {
    Name   = "rating-${each.key}"
    Region = each.key
  })

  # A failover drill inverts or disables a health check with route53:UpdateHealthCheck and restores it
  # afterwards; this apply must not undo a drill in progress (nor put it back while it runs).
  lifecycle {
    ignore_changes = [invert_healthcheck, disabled]
  }
}

################################################################################
# Regional names: <region>.<domain> -> that region's load balancer
################################################################################

resource "aws_route53_record" "regional" {
  for_each = var.regions

  zone_id = var.hosted_zone_id
  name    = local.regional_names[each.key]
  type    = "CNAME"
  ttl     = var.ttl
  records = [each.value.alb_dns_name]
}

################################################################################
# The global name: failover pair (or latency set) of CNAMEs, each with its region's health check
################################################################################

resource "aws_route53_record" "failover" {
  for_each = var.routing_policy == "failover" ? var.regions : {}

  zone_id         = var.hosted_zone_id
  name            = local.dns_name
  type            = "CNAME"
  ttl             = var.ttl
  records         = [each.value.alb_dns_name]
  set_identifier  = "${lower(local.failover_role[each.key])}-${each.key}"
  health_check_id = aws_route53_health_check.this[each.key].id

  failover_routing_policy {
    type = local.failover_role[each.key]
  }
}

resource "aws_route53_record" "latency" {
  for_each = var.routing_policy == "latency" ? var.regions : {}

  zone_id         = var.hosted_zone_id
  name            = local.dns_name
  type            = "CNAME"
  ttl             = var.ttl
  records         = [each.value.alb_dns_name]
  set_identifier  = "latency-${each.key}"
  health_check_id = aws_route53_health_check.this[each.key].id

  latency_routing_policy {
    region = each.key
  }
}
