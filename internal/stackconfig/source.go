package stackconfig

import (
	"encoding/json"
	"fmt"
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
	if args.AccountID != "" && r.check(KeySourceAccountID, args.AccountID, awsid.ValidateAccountID(args.AccountID),
		`write this account's 12-digit ID in quotes, e.g. "222222222222"`) {
		r.allowedAccounts(args.AccountID)
	}

	bucketShape := "a list of {name: bucket, kmsKeyArns: [arn:aws:kms:...:key/...], prefix: optional, objectLock: false, region: optional}"
	logShape := "a list of {name: bucket, services: [guardduty, cloudtrail, vpc-flow-logs], guardDutyDetectorId: ..., trailNames: [...], region: optional, serviceRegion: optional, adoptKeyArn: optional, objectLock: optional {mode, days}}"
	var buckets []sourceBucketConfig
	var logBuckets []logBucketConfig
	r.object(KeySourceBuckets, &buckets, bucketShape)
	r.object(KeyLogBuckets, &logBuckets, logShape)
	// An empty list is the declared default, which reads as not set.
	if r.raw(KeySourceBuckets) == "" && r.raw(KeyLogBuckets) == "" {
		r.fail(KeySourceBuckets, "", "neither this key nor "+KeyLogBuckets+" lists a bucket",
			"list existing buckets to replicate in "+KeySourceBuckets+" ("+bucketShape+"), log buckets to create in "+KeyLogBuckets+" ("+logShape+"), or both")
	}
	seen := map[string]string{} // bucket name -> the key that names it first
	r.sourceBuckets(args, buckets, seen)
	r.logBuckets(args, logBuckets, seen)

	if v := r.raw(KeyReplicaStorageClass); v != "" {
		args.StorageClass = v
		r.check(KeyReplicaStorageClass, v, awsid.ValidateReplicaStorageClass(v),
			"use one of "+strings.Join(awsid.ReplicaStorageClasses, ", ")+", or remove the key to keep each object's class (R4.13)")
	}
	args.ReplicationTimeControl = r.boolean(KeyReplicationTimeControl, false)
	args.ReplicateDeleteMarkers = r.boolean(KeyReplicateDeleteMarkers, false)
	args.DisableMetrics = !r.boolean(KeyReplicationMetrics, true)
	if args.ReplicationTimeControl && args.DisableMetrics {
		r.fail(KeyReplicationMetrics, "false", "replication time control needs replication metrics (R4.7)",
			"remove log-archive:replicationMetrics, or set log-archive:replicationTimeControl to false")
	}
	r.alarms(args)
	args.Tags = r.tags()
	s.Monitoring = r.monitoring(KindSource, args.AccountID, args.Region)

	if err := r.err(); err != nil {
		return nil, err
	}
	return s, nil
}

func (r *reader) sourceBuckets(args *components.SourceReplicatorArgs, buckets []sourceBucketConfig, seen map[string]string) {
	for i, b := range buckets {
		key := fmt.Sprintf("%s[%d]", KeySourceBuckets, i)
		if b.Name == "" {
			r.fail(key+".name", "", "this field is required", "name the existing bucket to replicate")
		} else if r.check(key+".name", b.Name, awsid.ValidateBucketName(b.Name), "use the exact name of an existing bucket in this account") {
			if other, dup := seen[b.Name]; dup {
				r.fail(key+".name", quote(b.Name), "is listed twice (also at "+other+")",
					"merge the two entries: a bucket has exactly one replication configuration")
			}
			seen[b.Name] = key
		}
		if len(b.KMSKeyArns) == 0 {
			r.fail(key+".kmsKeyArns", "", "no KMS key is given",
				"list the ARN of every KMS key that encrypts the bucket's objects; the role can decrypt only those (R1.13)")
		}
		region, regionOK := r.bucketRegion(key, b.Region, args.Region, "the Region the bucket is in")
		for j, k := range b.KMSKeyArns {
			if args.AccountID == "" || !regionOK {
				break
			}
			r.check(fmt.Sprintf("%s.kmsKeyArns[%d]", key, j), k, awsid.ValidateKMSKeyArn(k, args.AccountID, region),
				"give the full ARN of a key in this account and the bucket's Region, arn:aws:kms:"+region+":"+args.AccountID+":key/<key-id>"+
					regionHint(b.Region, args.Region)+". A key in another account cannot be granted from here: that account's key policy must name the replication role itself (R1.18)")
		}
		if len(b.Prefix) > awsid.MaxPrefixLength {
			r.fail(key+".prefix", fmt.Sprintf("(%d characters)", len(b.Prefix)), "is longer than the 1,024 characters S3 allows",
				"shorten the prefix, or remove it to replicate the whole bucket")
		} else {
			r.check(key+".prefix", b.Prefix, awsid.ValidateReplicationPrefix(b.Name, b.Prefix),
				"write the literal start of the object keys as they appear in the bucket, e.g. AWSLogs/ or AWSLogs/"+
					orPlaceholder(args.AccountID, "<account>")+"/, or remove prefix to replicate the whole bucket")
		}
		args.Buckets = append(args.Buckets, components.SourceBucket{
			Name: b.Name, KMSKeyArns: b.KMSKeyArns, Prefix: b.Prefix, ObjectLock: b.ObjectLock, Region: b.Region,
		})
	}
}

// logBuckets reads the log buckets to create. A log bucket and an existing bucket of the same name would
// be two owners of one bucket, so names are unique across both keys.
func (r *reader) logBuckets(args *components.SourceReplicatorArgs, buckets []logBucketConfig, seen map[string]string) {
	services := components.LogServiceNames()
	known := strings.Join(services, ", ")
	for i, b := range buckets {
		key := fmt.Sprintf("%s[%d]", KeyLogBuckets, i)
		region, regionOK := r.bucketRegion(key, b.Region, args.Region, "the Region to create the bucket and its key in")
		lb := components.LogBucket{Name: b.Name, GuardDutyDetectorID: b.GuardDutyDetectorID, TrailNames: b.TrailNames,
			ServiceRegion: b.ServiceRegion, AdoptKeyArn: b.AdoptKeyArn, Region: b.Region}
		if b.AdoptKeyArn != "" && args.AccountID != "" && regionOK {
			r.check(key+".adoptKeyArn", b.AdoptKeyArn, awsid.ValidateKMSKeyArn(b.AdoptKeyArn, args.AccountID, region),
				"give the keyArn the earlier stack published for this bucket (`pulumi stack output logBuckets`), "+
					"arn:aws:kms:"+region+":"+args.AccountID+":key/<key-id>"+regionHint(b.Region, args.Region)+", or remove adoptKeyArn to create a new bucket")
		}
		if b.Name == "" {
			r.fail(key+".name", "", "this field is required", "name the bucket to create, e.g. acme-workload-a-logs-eu-west-1 (globally unique)")
		} else if r.check(key+".name", b.Name, awsid.ValidateBucketName(b.Name),
			"choose a globally unique name of 3-63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit") {
			if other, dup := seen[b.Name]; dup {
				fix := "remove one entry: a bucket listed in " + KeySourceBuckets + " exists already, one listed in " + KeyLogBuckets + " is created by this stack"
				if strings.HasPrefix(other, KeyLogBuckets) {
					fix = "merge the two entries and list every service in one"
				}
				r.fail(key+".name", quote(b.Name), "is also listed at "+other, fix)
			}
			seen[b.Name] = key
		}
		if len(b.Services) == 0 {
			r.fail(key+".services", "", "no service is named", "list the services that write into this bucket: one or more of "+known)
		}
		for j, s := range b.Services {
			field := fmt.Sprintf("%s.services[%d]", key, j)
			switch {
			case !slices.Contains(services, s):
				r.fail(field, quote(s), "is not a log service this program knows", "use one of "+known)
			case slices.Index(b.Services, s) != j:
				r.fail(field, quote(s), "is named twice", "remove the duplicate")
			}
			lb.Services = append(lb.Services, components.LogService(s))
		}
		r.logServiceIdentifiers(key, lb)
		if b.ObjectLock != nil {
			if refused := components.ServicesNotShownToWriteLocked(lb.Services); len(refused) > 0 {
				names := make([]string, len(refused))
				for j, s := range refused {
					names[j] = string(s)
				}
				r.fail(key+".objectLock", fmt.Sprintf("{mode: %s, days: %d}", b.ObjectLock.Mode, b.ObjectLock.Days),
					"S3 refuses every upload into a bucket with Object Lock retention that lacks a Content-MD5 or checksum header, and no AWS page shows that "+
						strings.Join(names, ", ")+" send one: "+strings.Join(names, ", ")+" would stop delivering (H8)",
					"remove objectLock from this log bucket. Lock at the archive instead (log-archive:objectLock in the archive's stack file; `verify` then reports any replica its retention does not lock, H3), "+
						"or keep Object Lock for a bucket these services do not write into")
			} else {
				lb.ObjectLock = r.objectLock(key+".objectLock", *b.ObjectLock)
			}
		}
		// serviceRegion keeps its meaning: where the services run. It defaults to the bucket's Region,
		// which is region when set (G1: GuardDuty exports to a bucket and key of one Region).
		bucketRegion := region
		if b.ServiceRegion != "" && r.check(key+".serviceRegion", b.ServiceRegion, validateRegion(b.ServiceRegion),
			"use the Region code the detector, the flow logs and the trails' home Region are in, e.g. eu-west-1, or remove it for "+orPlaceholder(bucketRegion, "the bucket's Region")) && regionOK {
			if lb.Serves(components.GuardDuty) && awsid.IsOptInRegion(bucketRegion) && !awsid.IsOptInRegion(b.ServiceRegion) {
				r.fail(key+".serviceRegion", quote(b.ServiceRegion), "is enabled by default, and GuardDuty cannot export findings from such a Region to a bucket in "+bucketRegion+", an opt-in Region (G1)",
					"set this log bucket's region to "+b.ServiceRegion+" (or another Region enabled by default), or leave guardduty out of this bucket's services")
			}
			if p1, p2, differ := awsid.DifferentPartitions(b.ServiceRegion, bucketRegion); differ {
				r.fail(key+".serviceRegion", quote(b.ServiceRegion), "is in partition "+p1+" and the bucket in "+p2+regionHint(region, args.Region),
					"services cannot write across partitions: create the log bucket in a stack of that partition")
			}
		}
		args.LogBuckets = append(args.LogBuckets, lb)
		if j := components.AdoptedBefore(args.LogBuckets, i); j >= 0 {
			r.fail(key+".adoptKeyArn", quote(b.AdoptKeyArn), fmt.Sprintf("is also adopted at %s[%d]: one key would be imported as two resources", KeyLogBuckets, j),
				"give each log bucket the keyArn the earlier stack published for it (`pulumi stack output logBuckets`), or remove adoptKeyArn from the bucket that is new")
		}
	}
}

// logServiceIdentifiers checks that each named service has the identifier its conditions need, and that no
// identifier is given for a service that is not named (it would be silently unused).
func (r *reader) logServiceIdentifiers(key string, b components.LogBucket) {
	switch {
	case b.Serves(components.GuardDuty) && b.GuardDutyDetectorID == "":
		r.fail(key+".guardDutyDetectorId", "", "guardduty is named but its detector is not",
			"set guardDutyDetectorId to the ID `aws guardduty list-detectors` prints in the service Region; the key and bucket policies admit only that detector (G1)")
	case b.Serves(components.GuardDuty):
		r.check(key+".guardDutyDetectorId", b.GuardDutyDetectorID, awsid.ValidateGuardDutyDetectorID(b.GuardDutyDetectorID),
			"copy the detector ID from `aws guardduty list-detectors`, 32 lowercase letters and digits")
	case b.GuardDutyDetectorID != "":
		r.fail(key+".guardDutyDetectorId", quote(b.GuardDutyDetectorID), "is set but guardduty is not among the services",
			"add guardduty to services, or remove guardDutyDetectorId")
	}
	switch {
	case b.Serves(components.CloudTrail) && len(b.TrailNames) == 0:
		r.fail(key+".trailNames", "", "cloudtrail is named but no trail is",
			"list the names of the trails that deliver into this bucket; the policies admit only those trails (C1)")
	case !b.Serves(components.CloudTrail) && len(b.TrailNames) > 0:
		r.fail(key+".trailNames", jsonList(b.TrailNames), "are set but cloudtrail is not among the services",
			"add cloudtrail to services, or remove trailNames")
	}
	for j, t := range b.TrailNames {
		field := fmt.Sprintf("%s.trailNames[%d]", key, j)
		if r.check(field, t, awsid.ValidateTrailName(t), "give the trail's name as CloudTrail shows it, e.g. management-events") &&
			slices.Index(b.TrailNames, t) != j {
			r.fail(field, quote(t), "is listed twice", "remove the duplicate")
		}
	}
}

// bucketRegion checks the region of a sourceBuckets or logBuckets entry, "" (the stack's Region) or a
// Region of the stack's partition, and returns the Region the bucket is in. ok is false when that Region
// is unusable, so that checks which depend on it (key ARNs) are not reported on top.
func (r *reader) bucketRegion(key, region, stackRegion, what string) (string, bool) {
	if region == "" {
		return stackRegion, stackRegion != ""
	}
	if !r.check(key+".region", region, validateRegion(region), "use "+what+", a Region code such as eu-central-1, or remove region for the stack's Region "+orPlaceholder(stackRegion, "(aws:region)")) {
		return region, false
	}
	if stackRegion == "" {
		return region, false
	}
	if p, sp, differ := awsid.DifferentPartitions(region, stackRegion); differ {
		r.fail(key+".region", quote(region), "is in partition "+p+", but aws:region ("+stackRegion+") is in "+sp+"; one stack's credentials and replication stay in one partition",
			"replicate this bucket from a source stack in partition "+p+" (another account, with an archive of that partition), or remove region")
		return region, false
	}
	return region, true
}

// regionHint explains which Region a key must be in when the entry names one other than the stack's.
func regionHint(region, stackRegion string) string {
	if region == "" || region == stackRegion {
		return ""
	}
	return " (this entry's region, not aws:region " + stackRegion + ")"
}

func orPlaceholder(v, placeholder string) string {
	if v == "" {
		return placeholder
	}
	return v
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
		key := KeyAlarms + ".topicArns." + region
		if !r.check(key, region, validateRegion(region), "use the Region code of the topic, e.g. eu-west-1") {
			continue
		}
		if args.AccountID == "" {
			continue // already reported
		}
		want := "arn:" + partitionOr(region) + ":sns:" + region + ":" + args.AccountID + ":<topic name>"
		if arn == "" { // the component reads "" as "create the stack's own topic": say so rather than guess
			r.fail(key, `""`, "is empty, so the alarms of "+region+" would silently go to the topic the stack creates",
				"name a topic of this account in "+region+", "+want+", or remove the entry for the stack's own topic")
			continue
		}
		if !r.check(key, arn, awsid.ValidateTopicArn(arn, args.AccountID, region),
			"name a topic of this account in "+region+", "+want+"; its policy must let cloudwatch.amazonaws.com publish") {
			continue
		}
		if args.Alarms.TopicArns == nil {
			args.Alarms.TopicArns = map[string]string{}
		}
		args.Alarms.TopicArns[region] = arn
	}
}

func partitionOr(region string) string {
	p, err := awsid.PartitionOf(region)
	if err != nil {
		return "aws"
	}
	return p
}

func jsonMap(m map[string]string) string {
	b, _ := json.Marshal(m)
	return string(b)
}
