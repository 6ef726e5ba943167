# The eu-west-1 (secondary) stack. environments/us-east-1/main.tf is the same file but for these two values.
locals {
  region       = "eu-west-1"
  peer_regions = ["us-east-1"]
}

locals {
  name  = "${var.name_prefix}-${local.region}"
  peers = [for r in local.peer_regions : "https://${r}.${var.domain_name}"]

  regional_name = "${local.region}.${var.domain_name}"
  global_name   = "${var.global_name}.${var.domain_name}"

  tags = merge(var.tags, {
    Service   = "rating"
    Region    = local.region
    Stack     = "rating-${local.region}"
    ManagedBy = "terraform"
  })
}

data "aws_secretsmanager_secret" "replication_token" {
  name = var.replication_token_secret_name
}

module "network" {
  source = "../../modules/network"

  name                     = local.name
  cidr_block               = var.vpc_cidr
  az_count                 = 3
  nat_gateway_per_az       = var.nat_gateway_per_az
  enable_flow_logs         = var.enable_flow_logs
  permissions_boundary_arn = var.iam_permissions_boundary_arn
  tags                     = local.tags
}

################################################################################
# Certificate of the load balancer: the global name and the regional name, validated in the hosted zone
################################################################################

resource "aws_acm_certificate" "this" {
  domain_name               = local.global_name
  subject_alternative_names = [local.regional_name]
  validation_method         = "DNS"
  key_algorithm             = "EC_prime256v1"

  tags = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

# ACM gives the same validation record for the same name in every region, so both regional stacks write
# the rating.<domain> record (allow_overwrite): destroying one region's stack removes it for the other.
resource "aws_route53_record" "certificate_validation" {
  for_each = {
    for dvo in aws_acm_certificate.this.domain_validation_options : dvo.domain_name => {
      name   = dvo.resource_record_name
      type   = dvo.resource_record_type
      record = dvo.resource_record_value
    }
  }

  zone_id         = var.hosted_zone_id
  name            = each.value.name
  type            = each.value.type
  ttl             = 300
  records         = [each.value.record]
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [for r in aws_route53_record.certificate_validation : r.fqdn]
}

################################################################################
# Alerting: AMP workspace, rules, alert manager, SNS topics
################################################################################

module "observability" {
  source = "../../modules/observability"

  name                      = local.name
  tags                      = local.tags
  pagerduty_integration_url = try(coalesce(var.pagerduty_integration_url), null) # "" (an unset secret) is none
}

################################################################################
# The service
################################################################################

module "rating_service" {
  source = "../../modules/rating-service"

  name               = local.name
  vpc_id             = module.network.vpc_id
  public_subnet_ids  = module.network.public_subnet_ids
  private_subnet_ids = module.network.private_subnet_ids
  certificate_arn    = aws_acm_certificate_validation.this.certificate_arn

  stable_image  = var.stable_image
  canary_image  = var.canary_image
  canary_weight = var.canary_weight

  desired_count            = var.desired_count
  canary_desired_count     = var.canary_desired_count
  autoscaling_min_capacity = var.autoscaling_min_capacity
  autoscaling_max_capacity = var.autoscaling_max_capacity
  task_cpu                 = var.task_cpu
  task_memory              = var.task_memory
  redis_node_type          = var.redis_node_type

  peers                        = local.peers
  replication_token_secret_arn = data.aws_secretsmanager_secret.replication_token.arn

  prometheus_remote_write_url = module.observability.remote_write_url
  alarm_topic_arns            = [module.observability.critical_topic_arn]

  alb_deletion_protection  = var.alb_deletion_protection
  permissions_boundary_arn = var.iam_permissions_boundary_arn
  tags                     = local.tags
}

################################################################################
# Drills: FIS templates on the stable tasks, stopped by the stable error-ratio alarm
################################################################################

module "chaos" {
  source = "../../modules/chaos"

  name                      = local.name
  cluster_name              = module.rating_service.cluster_name
  chaos_target_tag_value    = module.rating_service.chaos_target_tag.value
  stop_condition_alarm_arns = [module.rating_service.alarm_arns["stable-error-ratio"]]
  permissions_boundary_arn  = var.iam_permissions_boundary_arn
  tags                      = local.tags
}
