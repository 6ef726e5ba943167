output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider (created or reused)."
  value       = local.oidc_provider_arn
}

output "plan_role_arn" {
  description = "ARN of the plan role: repository variable AWS_PLAN_ROLE_ARN."
  value       = aws_iam_role.plan.arn
}

output "apply_role_arn" {
  description = "ARN of the apply role: repository variable AWS_APPLY_ROLE_ARN."
  value       = aws_iam_role.apply.arn
}

output "drill_role_arn" {
  description = "ARN of the drill role: repository variable AWS_DRILL_ROLE_ARN."
  value       = aws_iam_role.drill.arn
}

output "trusted_subjects" {
  description = "The token subjects each role trusts (StringEquals on sub, aud sts.amazonaws.com)."
  value       = local.subjects
}
