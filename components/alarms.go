package components

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/internal/awsid"
	"log-archive/internal/contract"
	"log-archive/internal/fielderr"
	"log-archive/internal/policy"
)

// ReplicationAlarmsType is the component's type token.
const ReplicationAlarmsType = "log-archive:index:ReplicationAlarms"

// What the alarms watch and say (R5.10; AWS repl-metrics.html, replication-metrics-events.html).
const (
	alarmTopicName           = "log-archive-replication-alarms"
	alarmNamePrefix          = "log-archive-replication-"
	replicationMetricsNS     = "AWS/S3"
	FailedReplicationMetric  = "OperationsFailedReplication" // published in the source bucket's Region
	ReplicationLatencyMetric = "ReplicationLatency"          // published in the destination bucket's Region
	failedReplicationEvent   = "s3:Replication:OperationFailedReplication"
	AlarmPeriodSeconds       = 300
	// LatencyThresholdSeconds is the RTC threshold (R4.7): past it, a replica is late by S3's own SLA.
	LatencyThresholdSeconds = 900
)

// AlarmBucket is one replicated source bucket, whose rule the alarms watch.
type AlarmBucket struct {
	Name string
	// Events sends S3's failure events (one per failed object, with its failureReason, R5.4) to the
	// topic. Only for buckets the program created: a bucket has one notification configuration, and
	// writing it would replace whatever an existing bucket's owner configured.
	Events bool
	// Bucket is the created bucket resource, which the notification waits for (a resource, not a component:
	// depending on a component waits only for the children it has registered so far).
	Bucket pulumi.Resource
}

// ReplicationAlarmsArgs describe one source stack's alarms. Plain values, validated before registration.
type ReplicationAlarmsArgs struct {
	AccountID     string
	Region        string // the source buckets' Region: failure alarms, events and the topic live here
	ArchiveRegion string // ReplicationLatency is published here, so its alarms live here
	ArchiveBucket string
	Buckets       []AlarmBucket
	// ReplicationTimeControl adds the ReplicationLatency alarms; without RTC, latency has no SLA to
	// alarm on and S3 publishes the metric only with metrics enabled anyway.
	ReplicationTimeControl bool
	// TopicArn is an existing topic to notify (in Region); "" creates alarmTopicName. A named topic must
	// let cloudwatch.amazonaws.com publish, and s3.amazonaws.com when a bucket has Events.
	TopicArn string
	// ArchiveRegionTopicArn is the topic the latency alarms notify when they live in ArchiveRegion and
	// not in Region (RTC on, the archive elsewhere): an alarm can only notify a topic in its own Region. It
	// is a topic named there, or the one another ReplicationAlarms of the stack owns there: a topic has one
	// owner (SNS CreateTopic is idempotent, so a second creator would share it and its delete delete it).
	// "" creates alarmTopicName there, which only the topic's owner does; with TopicArn named, a topic
	// there must be named too.
	ArchiveRegionTopicArn string
	// ArchiveRegionTopicReady is what the latency alarms wait for before notifying ArchiveRegionTopicArn:
	// its owner's topic policy (none for a named topic).
	ArchiveRegionTopicReady []pulumi.Resource
	// ArchiveRegionProvider is the AWS provider for ArchiveRegion, required when the latency alarms live
	// there and not in Region. The component takes it and never builds one: a provider built here would
	// not carry the stack's settings (profile, assumed role, default tags).
	ArchiveRegionProvider pulumi.ProviderResource
	Tags                  map[string]string
}

// ReplicationAlarms is the alarms, topics and event notifications of one source stack.
type ReplicationAlarms struct {
	pulumi.ResourceState

	// TopicArn is the topic the failure alarms and events notify (created or named).
	TopicArn string
	// LatencyTopicArn is the topic the latency alarms notify ("" without RTC).
	LatencyTopicArn string
	// TopicReady and LatencyTopicReady are what a publisher to TopicArn or LatencyTopicArn waits for: the
	// policy of the topic this component created (empty for a named topic, or one another component owns).
	TopicReady, LatencyTopicReady []pulumi.Resource
	// TopicPolicy is the created topic's policy (empty when the topic is named).
	TopicPolicy policy.Document
}

// Validate checks the arguments.
func (args *ReplicationAlarmsArgs) Validate() error {
	var l fielderr.List
	l.Check("AccountID", args.AccountID, awsid.ValidateAccountID(args.AccountID), "")
	l.Check("Region", args.Region, awsid.ValidateRegion(args.Region), "")
	l.Check("ArchiveRegion", args.ArchiveRegion, awsid.ValidateRegion(args.ArchiveRegion), "")
	l.Check("ArchiveBucket", args.ArchiveBucket, awsid.ValidateBucketName(args.ArchiveBucket), "")
	validateTags(&l, args.Tags)
	if len(args.Buckets) == 0 {
		l.Add("Buckets", "", "no replicated bucket to watch", "")
	}
	for i, b := range args.Buckets {
		l.Check(fmt.Sprintf("Buckets[%d].Name", i), b.Name, awsid.ValidateBucketName(b.Name), "")
		if b.Events && b.Bucket == nil {
			l.Add(fmt.Sprintf("Buckets[%d].Events", i), "", "events only for a bucket this program creates (pass it as Bucket); an existing bucket's notification configuration would be replaced", "")
		}
	}
	l.Check("TopicArn", args.TopicArn, awsid.ValidateTopicArn(args.TopicArn, args.AccountID, args.Region), "")
	if args.latencyElsewhere() && args.TopicArn != "" {
		if args.ArchiveRegionTopicArn == "" {
			l.Add("ArchiveRegionTopicArn", "", fmt.Sprintf("the latency alarms live in %s, where ReplicationLatency is published, and an alarm notifies only a topic in its Region: name a topic there too", args.ArchiveRegion), "")
		} else {
			l.Check("ArchiveRegionTopicArn", args.ArchiveRegionTopicArn, awsid.ValidateTopicArn(args.ArchiveRegionTopicArn, args.AccountID, args.ArchiveRegion), "")
		}
	}
	if args.latencyElsewhere() && args.ArchiveRegionProvider == nil {
		l.Add("ArchiveRegionProvider", "", fmt.Sprintf("the latency alarms live in %s, where ReplicationLatency is published: pass the AWS provider of that Region", args.ArchiveRegion), "")
	}
	return l.Err()
}

func (args *ReplicationAlarmsArgs) latencyElsewhere() bool {
	return args.ReplicationTimeControl && args.ArchiveRegion != args.Region
}

// topicArn is the ARN SNS gives alarmTopicName (a topic's ARN is fixed by its name).
func topicArn(region, account string) string {
	return awsid.ARNsFor(region).Topic(region, account, alarmTopicName)
}

// alarmTopicPolicy lets this account's log-archive alarms (in the topic's Region) and S3 failure events
// of the given buckets publish, each pinned to this account; nothing else. A topic policy replaces
// SNS's default one, so the CloudWatch statement is needed too.
func alarmTopicPolicy(region, account string, eventBuckets []string) policy.Document {
	a := awsid.ARNsFor(region)
	topic := topicArn(region, account)
	doc := policy.Document{Version: policy.Version, Statement: []policy.Statement{{
		Sid: "CloudWatchAlarmsPublish", Effect: "Allow",
		Principal: &policy.Principal{Service: policy.Strings{"cloudwatch.amazonaws.com"}},
		Action:    policy.Strings{"sns:Publish"}, Resource: policy.Strings{topic},
		Condition: policy.Conditions{
			"StringEquals": {"aws:SourceAccount": {account}},
			"ArnLike":      {"aws:SourceArn": {fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s*", a.Partition, region, account, alarmNamePrefix)}},
		},
	}}}
	if len(eventBuckets) > 0 {
		arns := make([]string, 0, len(eventBuckets))
		for _, b := range eventBuckets {
			arns = append(arns, a.Bucket(b))
		}
		doc.Statement = append(doc.Statement, policy.Statement{
			Sid: "S3ReplicationFailureEventsPublish", Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{"s3.amazonaws.com"}},
			Action:    policy.Strings{"sns:Publish"}, Resource: policy.Strings{topic},
			Condition: policy.Conditions{
				"StringEquals": {"aws:SourceAccount": {account}},
				"ArnLike":      {"aws:SourceArn": sorted(arns)},
			},
		})
	}
	return doc
}

// NewReplicationAlarms creates, per bucket, an OperationsFailedReplication alarm (and with RTC a
// ReplicationLatency alarm), the topics they notify unless named, and S3 failure events for the buckets
// that ask for them. The alarms need replication metrics on the rules (R5.10, R4.7).
func NewReplicationAlarms(ctx *pulumi.Context, name string, args *ReplicationAlarmsArgs, opts ...pulumi.ResourceOption) (*ReplicationAlarms, error) {
	if args == nil {
		return nil, errors.New("ReplicationAlarms: args are required")
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("ReplicationAlarms %q: %w", name, err)
	}
	c := &ReplicationAlarms{TopicArn: args.TopicArn}
	if err := ctx.RegisterComponentResource(ReplicationAlarmsType, name, c, opts...); err != nil {
		return nil, fmt.Errorf("registering ReplicationAlarms %q: %w", name, err)
	}
	parent := pulumi.Parent(c)
	tags := pulumi.ToStringMap(args.Tags)

	var eventBuckets []string
	for _, b := range args.Buckets {
		if b.Events {
			eventBuckets = append(eventBuckets, b.Name)
		}
	}
	// The source Region's topic; alarms name it by its ARN and wait for its policy.
	var topicReady []pulumi.Resource
	if args.TopicArn == "" {
		c.TopicPolicy = alarmTopicPolicy(args.Region, args.AccountID, eventBuckets)
		policy, err := newAlarmTopic(ctx, name+"-topic", c.TopicPolicy, tags, parent)
		if err != nil {
			return nil, err
		}
		c.TopicArn, topicReady = topicArn(args.Region, args.AccountID), []pulumi.Resource{policy}
	}
	c.TopicReady = topicReady

	ruleID := contract.RuleID(args.ArchiveBucket)
	dims := func(bucket string) pulumi.StringMap {
		return pulumi.StringMap{"SourceBucket": pulumi.String(bucket), "DestinationBucket": pulumi.String(args.ArchiveBucket), "RuleId": pulumi.String(ruleID)}
	}
	for _, b := range args.Buckets {
		if _, err := cloudwatch.NewMetricAlarm(ctx, name+"-"+b.Name+"-failed", &cloudwatch.MetricAlarmArgs{
			Name: pulumi.String(alarmNamePrefix + "failed-" + b.Name),
			AlarmDescription: pulumi.Sprintf("Objects of s3://%s failed to replicate into the log archive s3://%s. S3 never retries them (R5.9): "+
				"find the failureReason in the s3:Replication:OperationFailedReplication event, fix it, then run backfill.", b.Name, args.ArchiveBucket),
			Namespace: pulumi.String(replicationMetricsNS), MetricName: pulumi.String(FailedReplicationMetric), Dimensions: dims(b.Name),
			Statistic: pulumi.String("Sum"), Period: pulumi.Int(AlarmPeriodSeconds), EvaluationPeriods: pulumi.Int(1),
			ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(0),
			// S3 publishes the metric only when operations fail; no data is no failure.
			TreatMissingData: pulumi.String("notBreaching"),
			AlarmActions:     pulumi.Array{pulumi.String(c.TopicArn)}, OkActions: pulumi.Array{pulumi.String(c.TopicArn)},
			Tags: tags,
		}, parent, pulumi.DependsOn(topicReady)); err != nil {
			return nil, fmt.Errorf("creating the replication failure alarm of %s: %w", b.Name, err)
		}
	}

	if args.ReplicationTimeControl {
		if err := c.latencyAlarms(ctx, name, args, dims, tags, topicReady); err != nil {
			return nil, err
		}
	}

	for _, b := range args.Buckets {
		if !b.Events {
			continue
		}
		// A bucket has one notification configuration: this resource owns it, so only for buckets
		// the program created.
		if _, err := s3.NewBucketNotification(ctx, name+"-"+b.Name+"-events", &s3.BucketNotificationArgs{
			Bucket: pulumi.String(b.Name),
			Topics: s3.BucketNotificationTopicArray{&s3.BucketNotificationTopicArgs{
				Id:       pulumi.String("log-archive-replication-failures"),
				TopicArn: pulumi.String(c.TopicArn),
				Events:   pulumi.StringArray{pulumi.String(failedReplicationEvent)},
			}},
		}, parent, pulumi.DependsOn(append([]pulumi.Resource{b.Bucket}, topicReady...))); err != nil {
			return nil, fmt.Errorf("creating the replication failure events of %s: %w", b.Name, err)
		}
	}

	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"topicArn": pulumi.String(c.TopicArn), "latencyTopicArn": pulumi.String(c.LatencyTopicArn),
	}); err != nil {
		return nil, fmt.Errorf("registering ReplicationAlarms outputs: %w", err)
	}
	return c, nil
}

// latencyAlarms are the ReplicationLatency alarms, in the archive's Region where S3 publishes the metric.
func (c *ReplicationAlarms) latencyAlarms(ctx *pulumi.Context, name string, args *ReplicationAlarmsArgs,
	dims func(string) pulumi.StringMap, tags pulumi.StringMap, topicReady []pulumi.Resource) error {
	opts := []pulumi.ResourceOption{pulumi.Parent(c)}
	c.LatencyTopicArn = c.TopicArn
	if args.latencyElsewhere() {
		opts = append(opts, pulumi.Provider(args.ArchiveRegionProvider))
		c.LatencyTopicArn, topicReady = args.ArchiveRegionTopicArn, args.ArchiveRegionTopicReady
		if c.LatencyTopicArn == "" {
			policy, err := newAlarmTopic(ctx, name+"-archive-region-topic", alarmTopicPolicy(args.ArchiveRegion, args.AccountID, nil), tags, opts...)
			if err != nil {
				return err
			}
			c.LatencyTopicArn, topicReady = topicArn(args.ArchiveRegion, args.AccountID), []pulumi.Resource{policy}
		}
	}
	c.LatencyTopicReady = topicReady
	for _, b := range args.Buckets {
		if _, err := cloudwatch.NewMetricAlarm(ctx, name+"-"+b.Name+"-latency", &cloudwatch.MetricAlarmArgs{
			Name: pulumi.String(alarmNamePrefix + "latency-" + b.Name),
			AlarmDescription: pulumi.Sprintf("Replication of s3://%s into s3://%s is more than %d minutes behind, the RTC threshold (R4.7).",
				b.Name, args.ArchiveBucket, LatencyThresholdSeconds/60),
			Namespace: pulumi.String(replicationMetricsNS), MetricName: pulumi.String(ReplicationLatencyMetric), Dimensions: dims(b.Name),
			Statistic: pulumi.String("Maximum"), Period: pulumi.Int(AlarmPeriodSeconds), EvaluationPeriods: pulumi.Int(1),
			ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(LatencyThresholdSeconds),
			TreatMissingData: pulumi.String("notBreaching"),
			AlarmActions:     pulumi.Array{pulumi.String(c.LatencyTopicArn)}, OkActions: pulumi.Array{pulumi.String(c.LatencyTopicArn)},
			Tags: tags,
		}, append(opts, pulumi.DependsOn(topicReady))...); err != nil {
			return fmt.Errorf("creating the replication latency alarm of %s: %w", b.Name, err)
		}
	}
	return nil
}

// newAlarmTopic creates alarmTopicName with its policy and returns the policy, which publishers wait for.
// Unencrypted on purpose: an SSE topic needs a key policy that admits CloudWatch and S3 (the AWS
// managed aws/sns key admits neither), and the messages carry bucket and key names, not log content.
func newAlarmTopic(ctx *pulumi.Context, name string, policy policy.Document, tags pulumi.StringMap, opts ...pulumi.ResourceOption) (pulumi.Resource, error) {
	policyJSON, err := policy.JSON()
	if err != nil {
		return nil, err
	}
	topic, err := sns.NewTopic(ctx, name, &sns.TopicArgs{Name: pulumi.String(alarmTopicName), Tags: tags}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating the alarm topic: %w", err)
	}
	p, err := sns.NewTopicPolicy(ctx, name+"-policy", &sns.TopicPolicyArgs{Arn: topic.Arn, Policy: pulumi.String(policyJSON)}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating the alarm topic policy: %w", err)
	}
	return p, nil
}
