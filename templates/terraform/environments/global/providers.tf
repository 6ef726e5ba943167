# Route 53 is global; its API lives in us-east-1.
provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = merge(var.tags, {
      Service   = "rating"
      Stack     = "rating-global"
      ManagedBy = "terraform"
    })
  }
}
