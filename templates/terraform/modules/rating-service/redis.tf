################################################################################
# Redis: one replication group per region (primary + replica, Multi-AZ, automatic failover, TLS, at rest
# encrypted, AUTH token). The service needs a maxmemory-policy that never evicts keys without a TTL.
################################################################################

resource "aws_elasticache_subnet_group" "this" {
  name        = var.name
  description = "Private subnets of ${var.name}"
  subnet_ids  = var.private_subnet_ids

  tags = local.tags
}

resource "aws_elasticache_parameter_group" "this" {
  name        = "${var.name}-redis7"
  family      = "redis7"
  description = "Redis 7 for ${var.name}: noeviction (subjects, buckets and the feed are the data itself)"

  parameter {
    name  = "maxmemory-policy"
    value = "noeviction"
  }

  tags = local.tags
}

resource "aws_elasticache_replication_group" "this" {
  #checkov:skip=CKV_AWS_31:the AUTH token is set out of band (terraform_data.redis_auth_token) to keep it out of the state
  #checkov:skip=CKV_AWS_191:at-rest encryption uses a customer key only when kms_key_arn is set
  replication_group_id = var.name
  description          = "Rating service store of ${var.name}"

  engine               = "redis"
  engine_version       = var.redis_engine_version
  node_type            = var.redis_node_type
  num_cache_clusters   = var.redis_num_cache_clusters
  port                 = 6379
  parameter_group_name = aws_elasticache_parameter_group.this.name
  subnet_group_name    = aws_elasticache_subnet_group.this.name
  security_group_ids   = [aws_security_group.redis.id]

  automatic_failover_enabled = true
  multi_az_enabled           = true

  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"

  # No auth_token here: the provider has no write-only argument for it, and a value given here would be
  # stored in the state. terraform_data.redis_auth_token sets the token from the ephemeral value instead.

  snapshot_retention_limit   = var.redis_snapshot_retention_days
  auto_minor_version_upgrade = true
  apply_immediately          = false

  tags = local.tags
}

################################################################################
# Secrets, written with write-only arguments: their values are in neither the plan nor the state.
################################################################################

ephemeral "aws_secretsmanager_random_password" "redis_auth_token" {
  password_length     = 64
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "redis" {
  #checkov:skip=CKV_AWS_149:the AWS managed key: the execution role can read the secret without a KMS grant
  #checkov:skip=CKV2_AWS_57:rotation is a new version (redis_auth_token_version / replication_token_version), see the README
  name                    = "${var.name}/redis"
  description             = "Redis AUTH token and REDIS_URL (rediss://) of ${var.name}; written by Terraform with write-only arguments"
  recovery_window_in_days = var.secret_recovery_window_days

  tags = local.tags
}

# JSON {"auth_token": ..., "url": "rediss://:<token>@<primary endpoint>:6379"}; the tasks read the url key.
# Written again only when redis_auth_token_version changes.
resource "aws_secretsmanager_secret_version" "redis" {
  secret_id = aws_secretsmanager_secret.redis.id
  secret_string_wo = jsonencode({
    auth_token = ephemeral.aws_secretsmanager_random_password.redis_auth_token.random_password
    url        = "rediss://:${ephemeral.aws_secretsmanager_random_password.redis_auth_token.random_password}@${aws_elasticache_replication_group.this.primary_endpoint_address}:6379"
  })
  secret_string_wo_version = var.redis_auth_token_version
}

# Puts the token of the secret's current version on the replication group with the AWS CLI (on the machine
# that runs terraform apply; it needs the aws CLI and jq). It reads the token from the secret, so the group
# always gets the token the tasks will read. First time (no token yet): ROTATE then SET, so that only
# authenticated connections are accepted. A new version: ROTATE only, so that the running tasks keep working
# with the old token; finish with SET once the services were redeployed (README). A replaced replication
# group (new endpoint) needs a new redis_auth_token_version too, so that the secret's url is rewritten.
resource "terraform_data" "redis_auth_token" {
  triggers_replace = [aws_elasticache_replication_group.this.id, var.redis_auth_token_version]

  provisioner "local-exec" {
    interpreter = ["/bin/bash", "-c"]
    environment = {
      AWS_REGION           = local.region
      REPLICATION_GROUP_ID = aws_elasticache_replication_group.this.id
      SECRET_ARN           = aws_secretsmanager_secret.redis.arn
    }
    command = <<-EOT
      set -euo pipefail
      umask 077
      input=$(mktemp)
      trap 'rm -f "$input"' EXIT
      modify() {
        aws secretsmanager get-secret-value --secret-id "$SECRET_ARN" --query SecretString --output text |
          jq --arg id "$REPLICATION_GROUP_ID" --arg strategy "$1" \
            '{ReplicationGroupId: $id, AuthToken: .auth_token, AuthTokenUpdateStrategy: $strategy, ApplyImmediately: true}' >"$input"
        aws elasticache modify-replication-group --cli-input-json "file://$input" >/dev/null
        aws elasticache wait replication-group-available --replication-group-id "$REPLICATION_GROUP_ID"
      }
      enabled=$(aws elasticache describe-replication-groups --replication-group-id "$REPLICATION_GROUP_ID" \
        --query 'ReplicationGroups[0].AuthTokenEnabled' --output text)
      modify ROTATE
      if [ "$enabled" != "True" ]; then modify SET; fi
    EOT
  }

  depends_on = [aws_secretsmanager_secret_version.redis]
}

ephemeral "aws_secretsmanager_random_password" "replication_token" {
  count = var.replication_token_secret_arn == null ? 1 : 0

  password_length     = 48
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "replication_token" {
  #checkov:skip=CKV_AWS_149:the AWS managed key: the execution role can read the secret without a KMS grant
  #checkov:skip=CKV2_AWS_57:rotation is a new version (redis_auth_token_version / replication_token_version), see the README
  count = var.replication_token_secret_arn == null ? 1 : 0

  name                    = "${var.name}/replication-token"
  description             = "REPLICATION_TOKEN of ${var.name} (bearer token of the replication feed); written with write-only arguments"
  recovery_window_in_days = var.secret_recovery_window_days

  tags = local.tags
}

resource "aws_secretsmanager_secret_version" "replication_token" {
  count = var.replication_token_secret_arn == null ? 1 : 0

  secret_id                = aws_secretsmanager_secret.replication_token[0].id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.replication_token[0].random_password
  secret_string_wo_version = var.replication_token_version
}
