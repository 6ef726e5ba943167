# State in the bucket bootstrap/ created (its output state_bucket_name replaces the placeholder). region is
# the bucket's region, the same for every stack. Locking: an S3 lock file next to the state (use_lockfile).
terraform {
  backend "s3" {
    bucket       = "REPLACE_WITH_STATE_BUCKET"
    key          = "rating/us-east-1/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}
