terraform {
  required_version = ">= 1.10"

  # Local state on purpose: the bucket this stack creates does not exist yet. Once applied, move the state
  # into it (see README.md, "Moving the bootstrap state into the bucket"):
  #   1. uncomment the backend block below and put in the bucket name (terraform output state_bucket_name);
  #   2. terraform init -migrate-state   (answer yes: the local terraform.tfstate is copied to the bucket);
  #   3. delete the local terraform.tfstate and terraform.tfstate.backup.
  #
  # backend "s3" {
  #   bucket       = "REPLACE_WITH_STATE_BUCKET"
  #   key          = "rating/bootstrap/terraform.tfstate"
  #   region       = "us-east-1"
  #   encrypt      = true
  #   use_lockfile = true
  # }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.25"
    }
  }
}
