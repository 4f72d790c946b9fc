package stackconfig

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/components"
	"log-archive/internal/awsid"
)

// sourceBucketConfig is the shape of one log-archive:sourceBuckets item.
type sourceBucketConfig struct {
	Name       string   `json:"name"`
	KMSKeyArns []string `json:"kmsKeyArns"`
	Prefix     string   `json:"prefix"`
	ObjectLock bool     `json:"objectLock"`
	Region     string   `json:"region"`
}

// logBucketConfig is the shape of one log-archive:logBuckets item.
type logBucketConfig struct {
	Name                string            `json:"name"`
	Services            []string          `json:"services"`
	GuardDutyDetectorID string            `json:"guardDutyDetectorId"`
	TrailNames          []string          `json:"trailNames"`
	ServiceRegion       string            `json:"serviceRegion"`
	AdoptKeyArn         string            `json:"adoptKeyArn"`
	ObjectLock          *objectLockConfig `json:"objectLock"`
	Region              string            `json:"region"`
}

// SourceSettings is a source stack's configuration: where the archive's contract lives, and the
// replicator's arguments except the contract, which the program reads from that stack.
type SourceSettings struct {
	DestinationStack string
	Args             *components.SourceReplicatorArgs
	File             string
	// Provider is every setting of the stack's default AWS provider but its Region, by the provider's
	// input names: what the providers of the stack's other Regions are built from (Args.ProviderRegions).
	Provider pulumi.Map
	// Monitoring links this account to the archive's sinks when enabled (docs/fleet-health.md).
	Monitoring Monitoring
}

// The shapes of log-archive:sourceBuckets and log-archive:logBuckets, for the fixes.
const (
	bucketShape = "a list of {name: bucket, kmsKeyArns: [arn:aws:kms:...:key/...], prefix: optional, objectLock: false, region: optional}"
	logShape    = "a list of {name: bucket, services: [guardduty, cloudtrail, vpc-flow-logs], guardDutyDetectorId: ..., trailNames: [...], region: optional, serviceRegion: optional, adoptKeyArn: optional, objectLock: optional {mode, days}}"
)

// A stack reference is "stack", "project/stack" or "organization/project/stack".
var stackRefPattern = regexp.MustCompile(`^([A-Za-z0-9_.-]+/){0,2}[A-Za-z0-9_.-]+$`)

// DestinationStackName is the stack part of a reference, which names the stack file Pulumi.<name>.yaml.
func DestinationStackName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

// LoadSource reads a source stack's configuration.
func LoadSource(ctx *pulumi.Context) (*SourceSettings, error) {
	r := newReader(ctx)
	r.rejectOtherKindKeys(KindSource, DestinationKeys)
	r.rejectUnknownKeys(ctx)
	args := &components.SourceReplicatorArgs{Region: r.region()}
	s := &SourceSettings{Args: args, File: r.file, Provider: r.awsProviderSettings(ctx)}

	s.DestinationStack = r.str(KeyDestinationStack, true,
		"set log-archive:destinationStack to the archive stack, e.g. organization/log-archive/destination")
	if s.DestinationStack != "" && !stackRefPattern.MatchString(s.DestinationStack) {
		r.fail(KeyDestinationStack, quote(s.DestinationStack), "is not a stack reference",
			"write organization/project/stack, e.g. organization/log-archive/destination")
	}

	args.AccountID = r.str(KeySourceAccountID, true, `set log-archive:sourceAccountId to the 12-digit ID of this source account, in quotes`)

	var buckets []sourceBucketConfig
	var logBuckets []logBucketConfig
	r.object(KeySourceBuckets, &buckets, bucketShape)
	r.object(KeyLogBuckets, &logBuckets, logShape)
	for _, b := range buckets {
		args.Buckets = append(args.Buckets, components.SourceBucket{
			Name: b.Name, KMSKeyArns: b.KMSKeyArns, Prefix: b.Prefix, ObjectLock: b.ObjectLock, Region: b.Region,
		})
	}
	for _, b := range logBuckets {
		lb := components.LogBucket{Name: b.Name, GuardDutyDetectorID: b.GuardDutyDetectorID, TrailNames: b.TrailNames,
			ServiceRegion: b.ServiceRegion, AdoptKeyArn: b.AdoptKeyArn, Region: b.Region}
		for _, s := range b.Services {
			lb.Services = append(lb.Services, components.LogService(s))
		}
		if b.ObjectLock != nil {
			lb.ObjectLock = &components.ObjectLockRetention{Mode: b.ObjectLock.Mode, Days: b.ObjectLock.Days}
		}
		args.LogBuckets = append(args.LogBuckets, lb)
	}

	args.StorageClass = r.raw(KeyReplicaStorageClass)
	args.ReplicationTimeControl = r.boolean(KeyReplicationTimeControl, false)
	args.ReplicateDeleteMarkers = r.boolean(KeyReplicateDeleteMarkers, false)
	args.DisableMetrics = !r.boolean(KeyReplicationMetrics, true)
	r.alarms(args)
	args.Tags = r.tags()
	s.Monitoring = r.monitoring(KindSource, args.Region)

	// The rules are the component's; the problems come back under the stack file's keys.
	r.component(args.ValidateLocal(), sourceFields)
	if args.AccountID != "" && !r.reported(KeySourceAccountID) {
		r.allowedAccounts(args.AccountID)
	}

	if err := r.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// alarmsConfig is the shape of log-archive:alarms.
type alarmsConfig struct {
	Enabled   *bool             `json:"enabled"`
	TopicArns map[string]string `json:"topicArns"`
}

// alarms reads where the replication alarms go (R5.10): on by default, off with enabled: false, to the
// stack's own topics unless a Region names an existing one.
func (r *reader) alarms(args *components.SourceReplicatorArgs) {
	var c alarmsConfig
	if !r.object(KeyAlarms, &c, "{enabled: true, topicArns: {eu-west-1: arn:aws:sns:eu-west-1:<account>:<topic>}}") {
		return
	}
	args.Alarms.Disabled = c.Enabled != nil && !*c.Enabled
	if args.Alarms.Disabled && len(c.TopicArns) > 0 {
		r.fail(KeyAlarms+".topicArns", jsonMap(c.TopicArns), "names topics for alarms that enabled: false turns off",
			"remove topicArns, or remove enabled: false")
	}
	regions := make([]string, 0, len(c.TopicArns))
	for region := range c.TopicArns {
		regions = append(regions, region)
	}
	slices.Sort(regions)
	for _, region := range regions {
		arn := c.TopicArns[region]
		if arn == "" { // the component reads "" as "create the stack's own topic": say so rather than guess
			r.fail(KeyAlarms+".topicArns."+region, `""`, "is empty, so the alarms of "+region+" would silently go to the topic the stack creates",
				"give the ARN of an existing topic of this account in "+region+", "+topicPattern(region, args.AccountID)+", or remove the entry for the stack's own topic")
			continue
		}
		if args.Alarms.TopicArns == nil {
			args.Alarms.TopicArns = map[string]string{}
		}
		args.Alarms.TopicArns[region] = arn
	}
}

// topicPattern is the shape of a topic ARN of account in region.
func topicPattern(region, account string) string {
	partition, err := awsid.PartitionOf(region)
	if err != nil {
		partition = "aws"
	}
	if account == "" {
		account = "<account>"
	}
	return "arn:" + partition + ":sns:" + region + ":" + account + ":<topic name>"
}

func jsonMap(m map[string]string) string {
	b, _ := json.Marshal(m)
	return string(b)
}
