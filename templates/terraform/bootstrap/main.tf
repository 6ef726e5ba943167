provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      Service   = "rating"
      Stack     = "bootstrap"
      ManagedBy = "terraform"
    })
  }
}

module "state_backend" {
  source = "../modules/state-backend"

  bucket_name      = var.state_bucket_name
  kms_key_arn      = var.state_kms_key_arn
  state_key_prefix = "rating"
  tags             = var.tags
}

module "github_oidc" {
  source = "../modules/github-oidc"

  github_repository              = var.github_repository
  branch                         = var.branch
  name_prefix                    = var.name_prefix
  existing_oidc_provider_arn     = var.existing_oidc_provider_arn
  state_bucket_arn               = module.state_backend.bucket_arn
  state_key_prefix               = module.state_backend.state_key_prefix
  state_kms_key_arn              = module.state_backend.kms_key_arn
  allowed_regions                = concat([var.region], var.replica_regions)
  hosted_zone_ids                = var.hosted_zone_ids
  apply_permissions_boundary_arn = var.apply_permissions_boundary_arn
  tags                           = var.tags
}

################################################################################
# The REPLICATION_TOKEN every region shares (the replication feed requires it, and each region's pulls send
# its own): one secret here with a replica in every other region, under the same name. The regional stacks
# look it up by name. The value never enters the plan or the state (ephemeral + write-only).
################################################################################

ephemeral "aws_secretsmanager_random_password" "replication_token" {
  password_length     = 48
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "replication_token" {
  #checkov:skip=CKV_AWS_149:the AWS managed key (in every replica region): the execution roles read it without a KMS grant
  #checkov:skip=CKV2_AWS_57:rotation is a new replication_token_version, then a redeploy of both regions
  name                    = "${var.name_prefix}/replication-token"
  description             = "REPLICATION_TOKEN shared by every region of the rating service (bearer token of the replication feed)"
  recovery_window_in_days = 7

  dynamic "replica" {
    for_each = toset(var.replica_regions)

    content {
      region = replica.value
    }
  }
}

resource "aws_secretsmanager_secret_version" "replication_token" {
  secret_id                = aws_secretsmanager_secret.replication_token.id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.replication_token.random_password
  secret_string_wo_version = var.replication_token_version
}
