output "bucket_name" {
  description = "Name of the state bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the state bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_region" {
  description = "Region of the state bucket (the backend's region)."
  value       = local.region
}

output "kms_key_arn" {
  description = "KMS key of the state objects, or null for SSE-S3."
  value       = var.kms_key_arn
}

output "state_key_prefix" {
  description = "Key prefix of the stacks' state objects."
  value       = var.state_key_prefix
}

output "backend_config" {
  description = "The backend \"s3\" block for a stack (replace <stack> with us-east-1, eu-west-1 or global). Locking uses S3 lock files (use_lockfile), no DynamoDB table."
  value       = <<-EOT
    terraform {
      backend "s3" {
        bucket       = "${aws_s3_bucket.this.id}"
        key          = "${var.state_key_prefix}/<stack>/terraform.tfstate"
        region       = "${local.region}"
        encrypt      = true
        use_lockfile = true%{if var.kms_key_arn != null}
        kms_key_id   = "${var.kms_key_arn}"%{endif}
      }
    }
  EOT
}
