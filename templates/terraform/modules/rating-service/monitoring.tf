################################################################################
# Alarms on the target groups and the stable service; alarm and OK actions go to alarm_topic_arns.
################################################################################

locals {
  alarm_dimensions = {
    for track in local.tracks : track => {
      LoadBalancer = aws_lb.this.arn_suffix
      TargetGroup  = aws_lb_target_group.this[track].arn_suffix
    }
  }
}

# 5xx answered by the targets over all requests, in percent, per minute (0 without requests).
resource "aws_cloudwatch_metric_alarm" "error_ratio" {
  for_each = local.tracks

  alarm_name          = "${var.name}-${each.key}-error-ratio"
  alarm_description   = "More than ${var.alarm_error_ratio_percent}% of the ${each.key} target group's requests answered 5xx for ${var.alarm_evaluation_periods} minutes."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_error_ratio_percent
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_evaluation_periods
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arns
  ok_actions          = var.alarm_topic_arns

  metric_query {
    id          = "ratio"
    label       = "5xx percent"
    expression  = "IF(requests > 0, 100 * errors / requests, 0)"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = local.alarm_dimensions[each.key]
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "requests"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = local.alarm_dimensions[each.key]
      period      = 60
      stat        = "Sum"
    }
  }

  tags = merge(local.tags, { Track = each.key })
}

resource "aws_cloudwatch_metric_alarm" "p99_latency" {
  for_each = local.tracks

  alarm_name          = "${var.name}-${each.key}-p99-latency"
  alarm_description   = "p99 TargetResponseTime of the ${each.key} target group above ${var.alarm_p99_latency_seconds} s for ${var.alarm_evaluation_periods} minutes."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = local.alarm_dimensions[each.key]
  extended_statistic  = "p99"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_p99_latency_seconds
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_evaluation_periods
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arns
  ok_actions          = var.alarm_topic_arns

  tags = merge(local.tags, { Track = each.key })
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  for_each = local.tracks

  alarm_name          = "${var.name}-${each.key}-unhealthy-hosts"
  alarm_description   = "The ${each.key} target group has had an unhealthy target for ${var.alarm_evaluation_periods} minutes."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = local.alarm_dimensions[each.key]
  statistic           = "Maximum"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_evaluation_periods
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arns
  ok_actions          = var.alarm_topic_arns

  tags = merge(local.tags, { Track = each.key })
}

# Fewer running stable tasks than the auto scaling minimum (Container Insights metric); no data = no tasks.
resource "aws_cloudwatch_metric_alarm" "running_tasks" {
  alarm_name          = "${var.name}-stable-running-tasks"
  alarm_description   = "The stable service has run fewer than ${var.autoscaling_min_capacity} tasks for ${var.alarm_evaluation_periods} minutes."
  namespace           = "ECS/ContainerInsights"
  metric_name         = "RunningTaskCount"
  dimensions          = { ClusterName = aws_ecs_cluster.this.name, ServiceName = aws_ecs_service.stable.name }
  statistic           = "Minimum"
  period              = 60
  comparison_operator = "LessThanThreshold"
  threshold           = var.autoscaling_min_capacity
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_evaluation_periods
  treat_missing_data  = "breaching"
  alarm_actions       = var.alarm_topic_arns
  ok_actions          = var.alarm_topic_arns

  tags = merge(local.tags, { Track = "stable" })
}

################################################################################
# Dashboard of the region
################################################################################

locals {
  dashboard_name = var.name

  tg_metric = {
    for track in local.tracks : track => ["LoadBalancer", aws_lb.this.arn_suffix, "TargetGroup", aws_lb_target_group.this[track].arn_suffix]
  }

  dashboard_widgets = [
    {
      type = "metric", x = 0, y = 0, width = 12, height = 6
      properties = {
        title  = "Requests per target group"
        region = local.region
        stat   = "Sum"
        period = 60
        view   = "timeSeries"
        metrics = [
          for track in ["stable", "canary"] : concat(["AWS/ApplicationELB", "RequestCount"], local.tg_metric[track], [{ label = track }])
        ]
      }
    },
    {
      type = "metric", x = 12, y = 0, width = 12, height = 6
      properties = {
        title  = "Target 5xx per target group"
        region = local.region
        stat   = "Sum"
        period = 60
        view   = "timeSeries"
        metrics = [
          for track in ["stable", "canary"] : concat(["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"], local.tg_metric[track], [{ label = track }])
        ]
      }
    },
    {
      type = "metric", x = 0, y = 6, width = 12, height = 6
      properties = {
        title  = "p99 target response time (s)"
        region = local.region
        stat   = "p99"
        period = 60
        view   = "timeSeries"
        metrics = [
          for track in ["stable", "canary"] : concat(["AWS/ApplicationELB", "TargetResponseTime"], local.tg_metric[track], [{ label = track }])
        ]
      }
    },
    {
      type = "metric", x = 12, y = 6, width = 12, height = 6
      properties = {
        title  = "Healthy / unhealthy targets"
        region = local.region
        stat   = "Maximum"
        period = 60
        view   = "timeSeries"
        metrics = concat(
          [for track in ["stable", "canary"] : concat(["AWS/ApplicationELB", "HealthyHostCount"], local.tg_metric[track], [{ label = "${track} healthy" }])],
          [for track in ["stable", "canary"] : concat(["AWS/ApplicationELB", "UnHealthyHostCount"], local.tg_metric[track], [{ label = "${track} unhealthy" }])],
        )
      }
    },
    {
      type = "metric", x = 0, y = 12, width = 12, height = 6
      properties = {
        title  = "ECS: running tasks"
        region = local.region
        stat   = "Average"
        period = 60
        view   = "timeSeries"
        metrics = [
          ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", aws_ecs_cluster.this.name, "ServiceName", aws_ecs_service.stable.name, { label = "stable" }],
          ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", aws_ecs_cluster.this.name, "ServiceName", aws_ecs_service.canary.name, { label = "canary" }],
        ]
      }
    },
    {
      type = "metric", x = 12, y = 12, width = 12, height = 6
      properties = {
        title  = "ECS: CPU and memory of the stable service (%)"
        region = local.region
        stat   = "Average"
        period = 60
        view   = "timeSeries"
        metrics = [
          ["AWS/ECS", "CPUUtilization", "ClusterName", aws_ecs_cluster.this.name, "ServiceName", aws_ecs_service.stable.name, { label = "CPU" }],
          ["AWS/ECS", "MemoryUtilization", "ClusterName", aws_ecs_cluster.this.name, "ServiceName", aws_ecs_service.stable.name, { label = "memory" }],
        ]
      }
    },
    {
      type = "metric", x = 0, y = 18, width = 24, height = 6
      properties = {
        title  = "Redis (primary and replicas)"
        region = local.region
        stat   = "Average"
        period = 60
        view   = "timeSeries"
        metrics = [
          for id in aws_elasticache_replication_group.this.member_clusters : ["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", id, { label = "${id} engine CPU %" }]
        ]
      }
    },
    {
      type = "alarm", x = 0, y = 24, width = 24, height = 4
      properties = {
        title = "Alarms"
        alarms = concat(
          [for a in aws_cloudwatch_metric_alarm.error_ratio : a.arn],
          [for a in aws_cloudwatch_metric_alarm.p99_latency : a.arn],
          [for a in aws_cloudwatch_metric_alarm.unhealthy_hosts : a.arn],
          [aws_cloudwatch_metric_alarm.running_tasks.arn],
        )
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = local.dashboard_name
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
