output "state_bucket_name" {
  description = "Name of the state bucket: put it in place of REPLACE_WITH_STATE_BUCKET in every environments/*/backend.tf and in environments/global/terraform.tfvars."
  value       = module.state_backend.bucket_name
}

output "state_bucket_arn" {
  description = "ARN of the state bucket."
  value       = module.state_backend.bucket_arn
}

output "backend_config" {
  description = "The backend \"s3\" block of a stack (replace <stack>)."
  value       = module.state_backend.backend_config
}

output "plan_role_arn" {
  description = "Repository variable AWS_PLAN_ROLE_ARN."
  value       = module.github_oidc.plan_role_arn
}

output "apply_role_arn" {
  description = "Repository variable AWS_APPLY_ROLE_ARN."
  value       = module.github_oidc.apply_role_arn
}

output "drill_role_arn" {
  description = "Repository variable AWS_DRILL_ROLE_ARN."
  value       = module.github_oidc.drill_role_arn
}

output "replication_token_secret_name" {
  description = "Name of the shared REPLICATION_TOKEN secret (the same in every region); the regional stacks' replication_token_secret_name."
  value       = aws_secretsmanager_secret.replication_token.name
}
