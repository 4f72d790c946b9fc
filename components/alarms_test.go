package components

import (
	"sync"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/contract"
	"log-archive/internal/policy"
)

// alarmMocks records each registration with its inputs and provider.
type alarmMocks struct {
	mu        sync.Mutex
	resources []registered
}

type registered struct {
	typ, name, provider string
	inputs              map[string]any
	deps                []string
}

func (m *alarmMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.resources = append(m.resources, registered{typ: args.TypeToken, name: args.Name, provider: args.Provider,
		inputs: args.Inputs.Mappable(), deps: args.RegisterRPC.GetDependencies()})
	return args.Name + "-id", args.Inputs, nil
}

func (m *alarmMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) { return nil, nil }

func (m *alarmMocks) ofType(typ string) []registered {
	var out []registered
	for _, r := range m.resources {
		if r.typ == typ {
			out = append(out, r)
		}
	}
	return out
}

func (m *alarmMocks) named(t *testing.T, name string) registered {
	t.Helper()
	for _, r := range m.resources {
		if r.name == name {
			return r
		}
	}
	require.Failf(t, "not registered", "%s", name)
	return registered{}
}

func runAlarms(t *testing.T, args *ReplicationAlarmsArgs) (*alarmMocks, *ReplicationAlarms, error) {
	t.Helper()
	m := &alarmMocks{}
	var c *ReplicationAlarms
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		var err error
		c, err = NewReplicationAlarms(ctx, "alarms", args)
		return err
	}, pulumi.WithMocks("log-archive", "source", m))
	return m, c, err
}

const (
	metricAlarm  = "aws:cloudwatch/metricAlarm:MetricAlarm"
	topicType    = "aws:sns/topic:Topic"
	topicPolicy  = "aws:sns/topicPolicy:TopicPolicy"
	notification = "aws:s3/bucketNotification:BucketNotification"
	awsProvider  = "pulumi:providers:aws"
	srcTopic     = "arn:aws:sns:us-east-2:222222222222:log-archive-replication-alarms"
)

// alarmArgs: one log bucket the program created (events allowed) and one existing bucket.
func alarmArgs(created pulumi.Resource) *ReplicationAlarmsArgs {
	return &ReplicationAlarmsArgs{
		AccountID: "222222222222", Region: "us-east-2", ArchiveRegion: "eu-west-1", ArchiveBucket: "acme-log-archive",
		Buckets: []AlarmBucket{{Name: "acme-a-logs", Events: true, Bucket: created}, {Name: "trail-logs"}},
	}
}

// stand is a resource standing in for the log bucket the program created.
func stand(ctx *pulumi.Context) pulumi.Resource {
	var r pulumi.ResourceState
	_ = ctx.RegisterComponentResource("test:index:Bucket", "acme-a-logs", &r)
	return &r
}

func runWithBucket(t *testing.T, edit func(*ReplicationAlarmsArgs)) (*alarmMocks, *ReplicationAlarms) {
	t.Helper()
	m := &alarmMocks{}
	var c *ReplicationAlarms
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		args := alarmArgs(stand(ctx))
		if edit != nil {
			edit(args)
		}
		if args.ArchiveRegionProvider == nil {
			// What the program hands the component: the archive Region's provider, built by the caller.
			p, err := aws.NewProvider(ctx, "given-archive-region", &aws.ProviderArgs{Region: pulumi.String(args.ArchiveRegion)})
			if err != nil {
				return err
			}
			args.ArchiveRegionProvider = p
		}
		var err error
		c, err = NewReplicationAlarms(ctx, "alarms", args)
		return err
	}, pulumi.WithMocks("log-archive", "source", m))
	require.NoError(t, err)
	return m, c
}

// R5.10: per rule, OperationsFailedReplication with the rule's three dimensions, any failure in five
// minutes, to the topic on ALARM and OK; S3 publishes it in the source Region (default provider).
func TestFailureAlarmPerRule(t *testing.T) {
	m, c := runWithBucket(t, nil)
	assert.Equal(t, srcTopic, c.TopicArn)
	assert.Len(t, m.ofType(metricAlarm), 2, "no latency alarms without RTC")
	for _, bucket := range []string{"acme-a-logs", "trail-logs"} {
		a := m.named(t, "alarms-"+bucket+"-failed")
		in := a.inputs
		assert.Equal(t, "log-archive-replication-failed-"+bucket, in["name"])
		assert.Equal(t, "AWS/S3", in["namespace"])
		assert.Equal(t, "OperationsFailedReplication", in["metricName"])
		assert.Equal(t, map[string]any{"SourceBucket": bucket, "DestinationBucket": "acme-log-archive", "RuleId": "log-archive-acme-log-archive"}, in["dimensions"])
		assert.Equal(t, "Sum", in["statistic"])
		assert.Equal(t, 300.0, in["period"])
		assert.Equal(t, 1.0, in["evaluationPeriods"])
		assert.Equal(t, "GreaterThanThreshold", in["comparisonOperator"])
		assert.Equal(t, 0.0, in["threshold"])
		assert.Equal(t, "notBreaching", in["treatMissingData"])
		assert.Equal(t, []any{srcTopic}, in["alarmActions"])
		assert.Equal(t, []any{srcTopic}, in["okActions"])
		assert.Empty(t, a.provider, "the source Region's default provider")
	}
}

// The rule ID the alarms watch is the one the replicator writes.
func TestAlarmRuleIDIsTheReplicatorsRuleID(t *testing.T) {
	args := &SourceReplicatorArgs{Archive: ArchiveContract{BucketName: "acme-log-archive", KeyArn: "k", AccountID: "1", Region: "eu-west-1"}}
	rule := replicationRule(args, SourceBucket{Name: "b"}, 1)
	assert.Equal(t, pulumi.String(contract.RuleID("acme-log-archive")), rule.Id)
}

// The created topic's policy: CloudWatch alarms of this account named log-archive-replication-*, and
// S3 events of the created buckets only, each pinned to this account.
func TestCreatedTopicAndItsPolicy(t *testing.T) {
	m, c := runWithBucket(t, nil)
	topics := m.ofType(topicType)
	require.Len(t, topics, 1)
	assert.Equal(t, "log-archive-replication-alarms", topics[0].inputs["name"])
	assert.Nil(t, topics[0].inputs["kmsMasterKeyId"])
	require.Len(t, m.ofType(topicPolicy), 1)
	want := policy.Document{Version: "2012-10-17", Statement: []policy.Statement{{
		Sid: "CloudWatchAlarmsPublish", Effect: "Allow", Principal: &policy.Principal{Service: policy.Strings{"cloudwatch.amazonaws.com"}},
		Action: policy.Strings{"sns:Publish"}, Resource: policy.Strings{srcTopic},
		Condition: policy.Conditions{
			"StringEquals": {"aws:SourceAccount": {"222222222222"}},
			"ArnLike":      {"aws:SourceArn": {"arn:aws:cloudwatch:us-east-2:222222222222:alarm:log-archive-replication-*"}},
		},
	}, {
		Sid: "S3ReplicationFailureEventsPublish", Effect: "Allow", Principal: &policy.Principal{Service: policy.Strings{"s3.amazonaws.com"}},
		Action: policy.Strings{"sns:Publish"}, Resource: policy.Strings{srcTopic},
		Condition: policy.Conditions{
			"StringEquals": {"aws:SourceAccount": {"222222222222"}},
			"ArnLike":      {"aws:SourceArn": {"arn:aws:s3:::acme-a-logs"}},
		},
	}}}
	assert.Equal(t, want, c.TopicPolicy)
	got, err := policy.Parse(m.ofType(topicPolicy)[0].inputs["policy"].(string))
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

// Failure events only for the bucket the program created; never for an existing bucket, whose one
// notification configuration this would replace.
func TestFailureEventsOnlyForCreatedBuckets(t *testing.T) {
	m, _ := runWithBucket(t, nil)
	n := m.ofType(notification)
	require.Len(t, n, 1)
	assert.Equal(t, "acme-a-logs", n[0].inputs["bucket"])
	assert.Equal(t, []any{map[string]any{"id": "log-archive-replication-failures", "topicArn": srcTopic,
		"events": []any{"s3:Replication:OperationFailedReplication"}}}, n[0].inputs["topics"])
	assert.NotEmpty(t, n[0].deps, "waits for the bucket and the topic policy")

	_, _, err := runAlarms(t, &ReplicationAlarmsArgs{AccountID: "222222222222", Region: "us-east-2", ArchiveRegion: "us-east-2",
		ArchiveBucket: "acme-log-archive", Buckets: []AlarmBucket{{Name: "trail-logs", Events: true}}})
	assert.ErrorContains(t, err, "Buckets[0].Events: events only for a bucket this program creates")
}

// R4.7: with RTC, ReplicationLatency over the 15-minute threshold; S3 publishes it in the archive's
// Region, so the alarm and its topic are there, through the provider the caller gives for that Region (the
// component builds none).
func TestLatencyAlarmsWithRTCLiveInTheArchiveRegion(t *testing.T) {
	m, c := runWithBucket(t, func(a *ReplicationAlarmsArgs) { a.ReplicationTimeControl = true })
	providers := m.ofType(awsProvider)
	require.Len(t, providers, 1, "only the one the caller built")
	assert.Equal(t, "given-archive-region", providers[0].name)
	archiveTopic := "arn:aws:sns:eu-west-1:222222222222:log-archive-replication-alarms"
	assert.Equal(t, archiveTopic, c.LatencyTopicArn)
	assert.Len(t, m.ofType(topicType), 2)
	for _, bucket := range []string{"acme-a-logs", "trail-logs"} {
		a := m.named(t, "alarms-"+bucket+"-latency")
		in := a.inputs
		assert.Equal(t, "log-archive-replication-latency-"+bucket, in["name"])
		assert.Equal(t, "ReplicationLatency", in["metricName"])
		assert.Equal(t, map[string]any{"SourceBucket": bucket, "DestinationBucket": "acme-log-archive", "RuleId": "log-archive-acme-log-archive"}, in["dimensions"])
		assert.Equal(t, "Maximum", in["statistic"])
		assert.Equal(t, 900.0, in["threshold"])
		assert.Equal(t, "GreaterThanThreshold", in["comparisonOperator"])
		assert.Equal(t, []any{archiveTopic}, in["alarmActions"])
		assert.Contains(t, a.provider, "given-archive-region")
	}
	assert.Contains(t, m.named(t, "alarms-archive-region-topic").provider, "given-archive-region")
	// The archive Region's topic admits the alarms only (no bucket events there).
	archivePolicy := alarmTopicPolicy("eu-west-1", "222222222222", nil)
	assert.Len(t, archivePolicy.Statement, 1)

	// Same Region: one topic, and the latency alarms use the component's own provider.
	m, c = runWithBucket(t, func(a *ReplicationAlarmsArgs) { a.ReplicationTimeControl, a.ArchiveRegion = true, "us-east-2" })
	assert.Len(t, m.ofType(topicType), 1)
	assert.Equal(t, srcTopic, c.LatencyTopicArn)
	assert.Empty(t, m.named(t, "alarms-trail-logs-latency").provider)
	assert.Equal(t, c.TopicReady, c.LatencyTopicReady, "the one topic's policy")
	assert.Len(t, c.TopicReady, 1)

	// Across Regions without the archive Region's provider: refused before anything is registered.
	m, _, err := runAlarms(t, &ReplicationAlarmsArgs{AccountID: "222222222222", Region: "us-east-2", ArchiveRegion: "eu-west-1",
		ArchiveBucket: "acme-log-archive", Buckets: []AlarmBucket{{Name: "trail-logs"}}, ReplicationTimeControl: true})
	assert.ErrorContains(t, err, "ArchiveRegionProvider: the latency alarms live in eu-west-1, where ReplicationLatency is published: pass the AWS provider of that Region")
	assert.Empty(t, m.resources)
}

// One owner per topic: a component given the archive Region's topic that another component
// owns creates no topic there; its latency alarms notify that topic and wait for its owner's policy.
func TestLatencyAlarmsUseTheArchiveTopicAnotherComponentOwns(t *testing.T) {
	owned := "arn:aws:sns:eu-west-1:222222222222:log-archive-replication-alarms"
	var ownerPolicy pulumi.Resource
	m := &alarmMocks{}
	var c *ReplicationAlarms
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		p, err := aws.NewProvider(ctx, "given-archive-region", &aws.ProviderArgs{Region: pulumi.String("eu-west-1")})
		if err != nil {
			return err
		}
		var policy pulumi.CustomResourceState
		if err := ctx.RegisterResource("test:index:OwnersTopicPolicy", "owners-policy", nil, &policy); err != nil {
			return err
		}
		ownerPolicy = &policy
		args := alarmArgs(stand(ctx))
		args.ReplicationTimeControl, args.ArchiveRegionProvider = true, p
		args.ArchiveRegionTopicArn, args.ArchiveRegionTopicReady = owned, []pulumi.Resource{ownerPolicy}
		c, err = NewReplicationAlarms(ctx, "alarms", args)
		return err
	}, pulumi.WithMocks("log-archive", "source", m))
	require.NoError(t, err)
	topics := m.ofType(topicType)
	require.Len(t, topics, 1, "only the source Region's own topic")
	assert.Equal(t, "alarms-topic", topics[0].name)
	assert.Equal(t, owned, c.LatencyTopicArn)
	assert.Equal(t, []pulumi.Resource{ownerPolicy}, c.LatencyTopicReady)
	for _, bucket := range []string{"acme-a-logs", "trail-logs"} {
		a := m.named(t, "alarms-"+bucket+"-latency")
		assert.Equal(t, []any{owned}, a.inputs["alarmActions"])
		assert.Contains(t, a.deps, "urn:pulumi:source::log-archive::test:index:OwnersTopicPolicy::owners-policy")
	}
}

// A named topic: no topic created, the alarms and events notify it; with RTC across Regions, a second
// named topic in the archive's Region is required.
func TestNamedTopics(t *testing.T) {
	named := "arn:aws:sns:us-east-2:222222222222:security-alerts"
	m, c := runWithBucket(t, func(a *ReplicationAlarmsArgs) { a.TopicArn = named })
	assert.Empty(t, m.ofType(topicType))
	assert.Empty(t, m.ofType(topicPolicy))
	assert.Equal(t, named, c.TopicArn)
	assert.Equal(t, []any{named}, m.named(t, "alarms-trail-logs-failed").inputs["alarmActions"])

	_, _, err := runAlarms(t, &ReplicationAlarmsArgs{AccountID: "222222222222", Region: "us-east-2", ArchiveRegion: "eu-west-1",
		ArchiveBucket: "acme-log-archive", Buckets: []AlarmBucket{{Name: "trail-logs"}}, TopicArn: named, ReplicationTimeControl: true})
	assert.ErrorContains(t, err, "ArchiveRegionTopicArn: the latency alarms live in eu-west-1")

	archiveNamed := "arn:aws:sns:eu-west-1:222222222222:security-alerts"
	m, c = runWithBucket(t, func(a *ReplicationAlarmsArgs) {
		a.TopicArn, a.ArchiveRegionTopicArn, a.ReplicationTimeControl = named, archiveNamed, true
	})
	assert.Empty(t, m.ofType(topicType))
	assert.Equal(t, archiveNamed, c.LatencyTopicArn)
	assert.Equal(t, []any{archiveNamed}, m.named(t, "alarms-trail-logs-latency").inputs["okActions"])
}

func TestAlarmArgsValidation(t *testing.T) {
	base := func() *ReplicationAlarmsArgs {
		return &ReplicationAlarmsArgs{AccountID: "222222222222", Region: "us-east-2", ArchiveRegion: "eu-west-1",
			ArchiveBucket: "acme-log-archive", Buckets: []AlarmBucket{{Name: "trail-logs"}}}
	}
	require.NoError(t, base().Validate())
	for want, edit := range map[string]func(*ReplicationAlarmsArgs){
		"Buckets: no replicated bucket":  func(a *ReplicationAlarmsArgs) { a.Buckets = nil },
		"is not an SNS topic ARN":        func(a *ReplicationAlarmsArgs) { a.TopicArn = "security-alerts" },
		"an alarm notifies only a topic": func(a *ReplicationAlarmsArgs) { a.TopicArn = "arn:aws:sns:eu-west-1:222222222222:x" },
		"must be a topic in account":     func(a *ReplicationAlarmsArgs) { a.TopicArn = "arn:aws:sns:us-east-2:333333333333:x" },
		"ArchiveBucket":                  func(a *ReplicationAlarmsArgs) { a.ArchiveBucket = "Bad_Name" },
	} {
		a := base()
		edit(a)
		assert.ErrorContains(t, a.Validate(), want)
	}
}
