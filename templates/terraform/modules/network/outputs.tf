output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "Availability zones the subnets are in, in order."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (one per availability zone, in the order of availability_zones): for the load balancer and the NAT gateways."
  value       = [for az in local.azs : aws_subnet.public[az].id]
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (one per availability zone, in the order of availability_zones): for the ECS tasks and Redis."
  value       = [for az in local.azs : aws_subnet.private[az].id]
}

output "private_route_table_ids" {
  description = "IDs of the private route tables (one per availability zone), e.g. for gateway VPC endpoints."
  value       = [for az in local.azs : aws_route_table.private[az].id]
}

output "nat_public_ips" {
  description = "Public IPv4 addresses of the NAT gateways: the source addresses of the tasks' outbound traffic (e.g. the replication pulls to the other region)."
  value       = [for az in local.nat_azs : aws_eip.nat[az].public_ip]
}

output "flow_log_group_name" {
  description = "Name of the CloudWatch Logs group of the VPC flow logs, or null when flow logs are off."
  value       = try(aws_cloudwatch_log_group.flow_logs[0].name, null)
}
