package components

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/internal/awsid"
	"log-archive/internal/contract"
	"log-archive/internal/fielderr"
	"log-archive/internal/policy"
)

// SourceReplicatorType is the component's type token.
const SourceReplicatorType = "log-archive:index:SourceReplicator"

// ArchiveContract is what a source stack learns from the archive stack's outputs.
type ArchiveContract struct {
	AccountID         string
	Region            string
	BucketName        string
	KeyArn            string // full key ARN: ReplicaKmsKeyID and the role policy name it (R4.9)
	RoleName          string // the replication role name the archive policies pin (R2.4)
	RolePath          string
	ObjectLockEnabled bool
	SourceAccountIDs  []string
	// OrganizationID, when set, is the organization whose accounts the archive admits too (R2.12), within
	// OrganizationPaths when any are listed. A source stack cannot check its own membership offline.
	OrganizationID    string
	OrganizationPaths []string
	// MonitoringSinkArns are the archive's OAM sinks by Region (none when its fleet view is off).
	MonitoringSinkArns map[string]string
}

// SourceBucket is an existing bucket in the source account whose objects replicate into the archive.
type SourceBucket struct {
	Name       string
	KMSKeyArns []string // every key that encrypts its objects (R1.13)
	Prefix     string   // "" replicates the whole bucket
	ObjectLock bool     // the bucket has Object Lock (R1.7, R4.14)
	// Region is where the bucket is; "" is the stack's Region. Its keys are in the same Region (SSE-KMS
	// uses a key of the bucket's Region), and its versioning and replication configuration are set there.
	Region string
}

// SourceReplicatorArgs describes one source account. Plain values, validated before registration, as for
// DestinationArchiveArgs.
type SourceReplicatorArgs struct {
	AccountID string
	Region    string // the stack's Region (aws:region); buckets may be in others of the same partition
	// Providers is the AWS provider of each Region in ProviderRegions: the component takes them and never
	// builds one, so that every provider carries the stack's settings (profile, assumed role, default tags,
	// allowed accounts, ...) and only its Region differs. The stack's own Region uses the provider the
	// component itself was given (the default one).
	Providers map[string]pulumi.ProviderResource
	Archive   ArchiveContract
	Buckets   []SourceBucket // existing buckets
	// LogBuckets are created here (a SourceLogBucket each) and replicated whole; the role decrypts with
	// their keys without anyone typing an ARN.
	LogBuckets []LogBucket

	StorageClass           string // "" keeps the source object's class (R4.13)
	ReplicationTimeControl bool   // RTC: 15-minute SLA, turns metrics on (R4.7)
	ReplicateDeleteMarkers bool   // off by default: deletes at the source never hide archived logs (R4.6)
	DisableMetrics         bool   // metrics are on unless disabled; R5.10 needs them to see failures
	// Alarms: per replication rule, CloudWatch alarms on failed replication (and with RTC on latency),
	// whenever the rules publish metrics, unless disabled (R5.10).
	Alarms AlarmSettings
	Tags   map[string]string
}

// AlarmSettings say where a source stack's replication alarms go.
type AlarmSettings struct {
	Disabled bool
	// TopicArns names an existing SNS topic per Region (an alarm notifies only a topic in its own
	// Region); a Region without one gets the topic the stack creates, alarmTopicName. S3 failure events
	// of the log buckets go to created topics only: a named topic's policy may not admit S3, and the
	// notification would fail the deploy.
	TopicArns map[string]string
}

// alarmsOn says whether the stack creates alarms: only when the rules publish the metrics they watch.
func (args *SourceReplicatorArgs) alarmsOn() bool {
	return !args.Alarms.Disabled && (!args.DisableMetrics || args.ReplicationTimeControl)
}

// SourceReplicator is the replication role and the replication configuration of each source bucket.
type SourceReplicator struct {
	pulumi.ResourceState

	RoleArn  pulumi.StringOutput `pulumi:"roleArn"`
	RoleName pulumi.StringOutput `pulumi:"roleName"`
	// BackfillRoleArn is the role S3 Batch Replication jobs run as (H6): `go run ./cmd/backfill`.
	BackfillRoleArn pulumi.StringOutput `pulumi:"backfillRoleArn"`
	// AlarmTopicArns is the topic each Region's replication alarms notify (none when alarms are off).
	AlarmTopicArns map[string]string

	// LogBuckets are the log buckets created for args.LogBuckets, in order.
	LogBuckets  []*SourceLogBucket
	TrustPolicy policy.Document
}

// Validate checks the arguments, the archive contract and the role policy size.
func (args *SourceReplicatorArgs) Validate() error {
	var l fielderr.List
	args.validateLocal(&l)
	args.Archive.validate(l.Nest("Archive"))
	for _, region := range args.ProviderRegions() {
		if args.Providers[region] == nil {
			l.Add("Providers", "", fmt.Sprintf("no AWS provider for %s, where this stack creates resources", region),
				"pass one for each Region of ProviderRegions, built with the stack's provider settings")
		}
	}
	if l.Has() {
		return l.Err()
	}
	return args.ValidateAgainstArchive()
}

// ValidateLocal checks what needs no archive: every argument but Archive and Providers, each problem with
// its field, its value and the fix.
func (args *SourceReplicatorArgs) ValidateLocal() error {
	var l fielderr.List
	args.validateLocal(&l)
	return l.Err()
}

func (args *SourceReplicatorArgs) validateLocal(l *fielderr.List) {
	l.Check("AccountID", args.AccountID, awsid.ValidateAccountID(args.AccountID), `write this account's 12-digit ID in quotes, e.g. "222222222222"`)
	l.Check("Region", args.Region, awsid.ValidateRegion(args.Region), "use a Region code such as eu-west-1 or us-east-2")
	validateTags(l, args.Tags)
	l.Check("StorageClass", args.StorageClass, awsid.ValidateReplicaStorageClass(args.StorageClass),
		"use one of "+strings.Join(awsid.ReplicaStorageClasses, ", ")+", or remove it to keep each object's class (R4.13)")
	if args.ReplicationTimeControl && args.DisableMetrics {
		l.Add("DisableMetrics", "", "replication time control needs replication metrics (R4.7)",
			"remove {DisableMetrics}, or set {ReplicationTimeControl} to false")
	}
	if len(args.Buckets)+len(args.LogBuckets) == 0 {
		l.Add("Buckets", "", "neither {Buckets} nor {LogBuckets} lists a bucket",
			"list existing buckets to replicate in {Buckets}, log buckets to create in {LogBuckets}, or both")
	}
	seen := map[string]string{} // bucket name -> the path that names it first
	for i, b := range args.Buckets {
		args.validateBucket(l, fmt.Sprintf("Buckets[%d]", i), b, seen)
	}
	for i, b := range args.LogBuckets {
		args.validateLogBucket(l, i, b, seen)
	}
	for _, region := range slices.Sorted(maps.Keys(args.Alarms.TopicArns)) {
		field := "Alarms.TopicArns[" + region + "]"
		if !l.Check(field, region, awsid.ValidateRegion(region), "use the Region code of the topic, e.g. eu-west-1") || awsid.ValidateAccountID(args.AccountID) != nil {
			continue
		}
		want := "arn:" + partitionOr(region) + ":sns:" + region + ":" + args.AccountID + ":<topic name>"
		arn := args.Alarms.TopicArns[region]
		l.Check(field, arn, awsid.ValidateTopicArn(arn, args.AccountID, region),
			"name a topic of this account in "+region+", "+want+"; its policy must let cloudwatch.amazonaws.com publish")
	}
}

func partitionOr(region string) string {
	if p, err := awsid.PartitionOf(region); err == nil {
		return p
	}
	return "aws"
}

// validateBucketRegion checks the Region of a bucket (an existing one or one to create): "" (the stack's
// Region) or a Region of the stack's partition. It returns the bucket's Region and whether checks that
// depend on it (key ARNs) can be made.
func (args *SourceReplicatorArgs) validateBucketRegion(l *fielderr.List, field, region, what string) (string, bool) {
	stackOK := awsid.ValidateRegion(args.Region) == nil
	if region == "" {
		return args.Region, stackOK
	}
	stack := "(aws:region)"
	if args.Region != "" {
		stack = args.Region
	}
	if !l.Check(field+".Region", region, awsid.ValidateRegion(region),
		"use "+what+", a Region code such as eu-central-1, or remove region for the stack's Region "+stack) || !stackOK {
		return region, false
	}
	if p, sp, differ := awsid.DifferentPartitions(region, args.Region); differ {
		l.Add(field+".Region", fielderr.Quote(region), "is in partition "+p+", but {Region} ("+args.Region+") is in "+sp+"; one stack's credentials and replication stay in one partition",
			"replicate this bucket from a source stack in partition "+p+" (another account, with an archive of that partition), or remove region")
		return region, false
	}
	return region, true
}

// regionHint explains which Region a key must be in when a bucket names one other than the stack's.
func (args *SourceReplicatorArgs) regionHint(region string) string {
	if region == "" || region == args.Region {
		return ""
	}
	return " (this entry's region, not {/Region} " + args.Region + ")"
}

func (args *SourceReplicatorArgs) validateBucket(l *fielderr.List, field string, b SourceBucket, seen map[string]string) {
	if b.Name == "" {
		l.Add(field+".Name", "", "this field is required", "name the existing bucket to replicate")
	} else if l.Check(field+".Name", b.Name, awsid.ValidateBucketName(b.Name), "use the exact name of an existing bucket in this account") {
		if other, dup := seen[b.Name]; dup {
			l.Add(field+".Name", fielderr.Quote(b.Name), "is listed twice (also at {"+other+"})",
				"merge the two entries: a bucket has exactly one replication configuration")
		}
		seen[b.Name] = field
	}
	if len(b.KMSKeyArns) == 0 {
		l.Add(field+".KMSKeyArns", "", "no KMS key is given",
			"list the ARN of every KMS key that encrypts the bucket's objects; the role can decrypt only those (R1.13)")
	}
	region, regionOK := args.validateBucketRegion(l, field, b.Region, "the Region the bucket is in")
	if regionOK && awsid.ValidateAccountID(args.AccountID) == nil {
		for j, k := range b.KMSKeyArns {
			l.Check(fmt.Sprintf("%s.KMSKeyArns[%d]", field, j), k, awsid.ValidateKMSKeyArn(k, args.AccountID, region),
				"give the full ARN of a key in this account and the bucket's Region, arn:"+partitionOr(region)+":kms:"+region+":"+args.AccountID+":key/<key-id>"+
					args.regionHint(b.Region)+". A key in another account cannot be granted from here: that account's key policy must name the replication role itself (R1.18)")
		}
	}
	if len(b.Prefix) > awsid.MaxPrefixLength {
		l.Add(field+".Prefix", fmt.Sprintf("(%d characters)", len(b.Prefix)), "is longer than the 1,024 characters S3 allows",
			"shorten the prefix, or remove it to replicate the whole bucket")
	} else {
		account := args.AccountID
		if account == "" {
			account = "<account>"
		}
		l.Check(field+".Prefix", b.Prefix, awsid.ValidateReplicationPrefix(b.Name, b.Prefix),
			"write the literal start of the object keys as they appear in the bucket, e.g. AWSLogs/ or AWSLogs/"+account+"/, or remove prefix to replicate the whole bucket")
	}
}

func (args *SourceReplicatorArgs) validateLogBucket(l *fielderr.List, i int, b LogBucket, seen map[string]string) {
	field := fmt.Sprintf("LogBuckets[%d]", i)
	region, regionOK := args.validateBucketRegion(l, field, b.Region, "the Region to create the bucket and its key in")
	if b.Name != "" && awsid.ValidateBucketName(b.Name) == nil {
		if other, dup := seen[b.Name]; dup {
			fix := "remove one entry: a bucket listed in {Buckets} exists already, one listed in {LogBuckets} is created by this stack"
			if strings.HasPrefix(other, "LogBuckets") {
				fix = "merge the two entries and list every service in one"
			}
			l.Add(field+".Name", fielderr.Quote(b.Name), "is also listed at {"+other+"}", fix)
		}
		seen[b.Name] = field
	}
	b.validate(l.Nest(field), bucketPlace{Account: args.AccountID, Region: region, RegionOK: regionOK, Hint: args.regionHint(b.Region)})
	if j := AdoptedBefore(args.LogBuckets, i); j >= 0 {
		l.Add(field+".AdoptKeyArn", fielderr.Quote(b.AdoptKeyArn), fmt.Sprintf("is also adopted at {LogBuckets[%d]}: one key would be imported as two resources", j),
			"give each log bucket the keyArn the earlier stack published for it (`pulumi stack output logBuckets`), or remove adoptKeyArn from the bucket that is new")
	}
}

// ValidateAgainstArchive checks what only the archive's contract (Archive) reveals: the partition, the
// archive bucket, Object Lock, the alarm topics' Regions, and whether the policies fit.
func (args *SourceReplicatorArgs) ValidateAgainstArchive() error {
	var l fielderr.List
	// R2.12: an account the archive does not list may still be in its organization, which AWS decides at
	// each request; only a listed or organization-wide admission is checked here.
	switch c := args.Archive; {
	case args.AccountID == c.AccountID:
		l.Add("AccountID", fielderr.Quote(args.AccountID), "is the archive account itself",
			"a source stack runs in a source account; set {AccountID} to that account")
		return l.Err()
	case !slices.Contains(c.SourceAccountIDs, args.AccountID) && c.OrganizationID == "":
		accepts := "no account yet"
		if len(c.SourceAccountIDs) > 0 {
			accepts = strings.Join(c.SourceAccountIDs, ", ")
		}
		l.Add("Archive", "", fmt.Sprintf("the archive does not accept source account %s (it accepts %s)", args.AccountID, accepts),
			fmt.Sprintf("add %q to {Archive.SourceAccountIDs} and deploy the archive, then run this stack again", args.AccountID))
		return l.Err()
	}
	if dst, src, differ := awsid.DifferentPartitions(args.Archive.Region, args.Region); differ {
		l.Add("Region", fielderr.Quote(args.Region), fmt.Sprintf("is in partition %s, but the archive is in %s (partition %s); S3 does not replicate across partitions", src, args.Archive.Region, dst),
			"replicate this account into an archive in partition "+src+": a destination stack of its own there")
		return l.Err()
	}
	// A named alarm topic serves the alarms of its Region: the Regions of the buckets, and with RTC the
	// archive's, where ReplicationLatency is published. A topic for any other Region would go unused.
	used := slices.Clone(args.Regions())
	if args.ReplicationTimeControl {
		used = append(used, args.Archive.Region)
	}
	for _, region := range slices.Sorted(maps.Keys(args.Alarms.TopicArns)) {
		if !slices.Contains(used, region) {
			l.Add("Alarms.TopicArns["+region+"]", fielderr.Quote(args.Alarms.TopicArns[region]),
				"names a topic for a Region where this stack has no alarm (its buckets are in "+strings.Join(args.Regions(), ", ")+")",
				"remove it, or correct the Region it is listed under")
		}
	}
	for i, b := range args.Buckets {
		field := fmt.Sprintf("Buckets[%d]", i)
		if b.Name == args.Archive.BucketName {
			l.Add(field+".Name", fielderr.Quote(b.Name), "is the archive bucket itself", "list the source account's own log buckets")
		}
		if b.ObjectLock && !args.Archive.ObjectLockEnabled {
			l.Add(field+".ObjectLock", "true", "a bucket with Object Lock replicates only into an archive with Object Lock, and this archive has none (R4.14)",
				"set Object Lock on the archive (log-archive:objectLock in the archive's stack file) and deploy it, or replicate this bucket elsewhere")
		}
	}
	for i, b := range args.LogBuckets {
		field := fmt.Sprintf("LogBuckets[%d]", i)
		if b.Name == args.Archive.BucketName {
			l.Add(field+".Name", fielderr.Quote(b.Name), "is the archive bucket itself", "choose another globally unique name for this account's log bucket")
		}
		if b.ObjectLock != nil && !args.Archive.ObjectLockEnabled {
			l.Add(field+".ObjectLock", fmt.Sprintf("{mode: %s, days: %d}", b.ObjectLock.Mode, b.ObjectLock.Days),
				"a bucket with Object Lock replicates only into an archive with Object Lock, and this archive has none (R4.14)",
				"set Object Lock on the archive (log-archive:objectLock in the archive's stack file) and deploy it first, or remove objectLock from this log bucket")
		}
		if err := args.LogBucketArgs(b).CheckPolicySizes(); err != nil {
			l.Add(field+".TrailNames", fmt.Sprintf("(%d trails)", len(b.TrailNames)), err.Error(), "split the trails across two log buckets")
		}
	}
	if l.Has() {
		return l.Err()
	}
	// IAM names are global to the account, so this stack holds every bucket the account replicates: past
	// the quotas the fix is fewer buckets, fewer keys or shorter names, not a second stack.
	for _, check := range []func(*SourceReplicatorArgs) error{CheckReplicationRolePolicySize, CheckBackfillRolePolicySize} {
		var size *RolePolicySizeError
		if err := check(args); errors.As(err, &size) {
			l.Add("", fmt.Sprintf("(%d buckets)", size.Buckets), err.Error(),
				fmt.Sprintf("list at most %d buckets in this account's stack (the others cannot replicate from this account's one role), "+
					"let fewer KMS keys encrypt them, or give them shorter names", size.Fit))
			break
		} else if err != nil {
			return err
		}
	}
	return l.Err()
}

// ProviderRegions are the Regions whose resources need an explicit AWS provider (Providers): every Region
// of the stack's buckets but its own, and, with replication time control, the archive's, where the
// ReplicationLatency alarms of the buckets elsewhere live (R4.7). That includes the stack's own Region when
// the archive is there: those alarms sit under another Region's alarms component, whose provider they
// would otherwise inherit, and the default provider cannot be named.
func (args *SourceReplicatorArgs) ProviderRegions() []string {
	regions := slices.Clone(args.Regions()[1:])
	if args.alarmsOn() && args.ReplicationTimeControl && args.Archive.Region != "" && slices.ContainsFunc(args.Regions(), func(r string) bool {
		return r != args.Archive.Region && args.hasBucketsIn(r)
	}) && !slices.Contains(regions, args.Archive.Region) {
		regions = append(regions, args.Archive.Region)
		slices.Sort(regions)
	}
	return regions
}

// hasBucketsIn says whether a bucket of the stack, existing or created, is in region.
func (args *SourceReplicatorArgs) hasBucketsIn(region string) bool {
	for _, b := range args.Buckets {
		if args.regionOf(b.Region) == region {
			return true
		}
	}
	for _, b := range args.LogBuckets {
		if args.regionOf(b.Region) == region {
			return true
		}
	}
	return false
}

// RolePolicySizeError is a role whose permissions do not fit IAM's quotas for the stack's buckets, with
// how many of them do fit.
type RolePolicySizeError struct {
	Role     string // "replication" or "backfill"
	Buckets  int    // buckets in the stack
	Fit      int    // the largest n such that the first n buckets fit (sourceBuckets first, then logBuckets)
	Document string // the first document over its limit
	Size     int
	Limit    int
}

func (e *RolePolicySizeError) Error() string {
	return fmt.Sprintf("the %s role's permissions for %d buckets do not fit IAM's quotas: its %s would be %d characters, over IAM's %d "+
		"(a role holds %d characters of inline policies, or %d customer managed policies of %d characters each, every bucket's grants in "+
		"the managed policy its name hashes to); with these bucket names and keys the first %d of the %d buckets fit",
		e.Role, e.Buckets, e.Document, e.Size, e.Limit, policy.RoleInlinePolicyLimit, MaxAttachedPolicies, policy.ManagedPolicyLimit, e.Fit, e.Buckets)
}

// CheckReplicationRolePolicySize reports replication role permissions that IAM would refuse, with the
// exact number of buckets that fit. Log bucket keys do not exist yet; stand-in ARNs of the same length
// measure them exactly.
func CheckReplicationRolePolicySize(args *SourceReplicatorArgs) error {
	return checkRoleFits(args, "replication", func(a *SourceReplicatorArgs) rolePermissions { return replicationRolePermissions(a, nil) })
}

// CheckBackfillRolePolicySize is CheckReplicationRolePolicySize for the backfill role, which names every
// bucket twice, too.
func CheckBackfillRolePolicySize(args *SourceReplicatorArgs) error {
	return checkRoleFits(args, "backfill", backfillRolePermissions)
}

func checkRoleFits(args *SourceReplicatorArgs, role string, permissions func(*SourceReplicatorArgs) rolePermissions) error {
	perms := permissions(args)
	if perms.Fits() {
		return nil
	}
	e := &RolePolicySizeError{Role: role, Buckets: len(args.Buckets) + len(args.LogBuckets)}
	for _, d := range perms.Documents() {
		if n := d.Document.Size(); n > d.Limit {
			e.Document, e.Size, e.Limit = d.Name, n, d.Limit
			break
		}
	}
	// Adding a bucket never shrinks a document, so "the first n fit" holds for every n up to the answer
	// and for none beyond: a binary search finds it.
	lo, hi := 0, e.Buckets-1 // the first lo fit; the first hi+1 do not
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if permissions(args.firstBuckets(mid)).Fits() {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	e.Fit = lo
	return e
}

// firstBuckets is args with only its first n buckets: sourceBuckets first, then logBuckets.
func (args *SourceReplicatorArgs) firstBuckets(n int) *SourceReplicatorArgs {
	c := *args
	if n <= len(args.Buckets) {
		c.Buckets, c.LogBuckets = args.Buckets[:n], nil
	} else {
		c.LogBuckets = args.LogBuckets[:n-len(args.Buckets)]
	}
	return &c
}

// LogBucketArgs are the arguments of the SourceLogBucket created for b: this account, the bucket's Region
// and the tags.
func (args *SourceReplicatorArgs) LogBucketArgs(b LogBucket) *SourceLogBucketArgs {
	return &SourceLogBucketArgs{AccountID: args.AccountID, Region: args.regionOf(b.Region), Bucket: b, Tags: args.Tags}
}

// replicatedBuckets is every bucket the role reads: the existing ones, then the log buckets with their
// keys. logKeyArns[i] is the key of args.LogBuckets[i]; nil stands in a distinct UUID key ARN for each,
// whose length is exact because every key ID has 36 characters (equal stand-ins would collapse into one
// and undercount the policy AWS measures).
func (args *SourceReplicatorArgs) replicatedBuckets(logKeyArns []string) []SourceBucket {
	out := append([]SourceBucket{}, args.Buckets...)
	for i, b := range args.LogBuckets {
		region := args.regionOf(b.Region) // the key is in the bucket's Region, and so is its stand-in
		key := awsid.ARNsFor(region).Key(region, args.AccountID, fmt.Sprintf("00000000-0000-0000-0000-%012d", i))
		if logKeyArns != nil {
			key = logKeyArns[i]
		}
		out = append(out, SourceBucket{Name: b.Name, KMSKeyArns: []string{key}, ObjectLock: b.ObjectLock != nil, Region: b.Region})
	}
	return out
}

func (c *ArchiveContract) validate(l *fielderr.List) {
	l.Check("AccountID", c.AccountID, awsid.ValidateAccountID(c.AccountID), "deploy the archive again")
	l.Check("Region", c.Region, awsid.ValidateRegion(c.Region), "deploy the archive again")
	l.Check("BucketName", c.BucketName, awsid.ValidateBucketName(c.BucketName), "deploy the archive again")
	l.Check("RoleName", c.RoleName, awsid.ValidateRoleName(c.RoleName), "deploy the archive again")
	l.Check("RolePath", c.RolePath, awsid.ValidateRolePath(c.RolePath), "deploy the archive again")
	if !l.Has() {
		// R4.9: an alias or a key in another account or Region makes every replica unreadable.
		l.Check("KeyArn", c.KeyArn, awsid.ValidateKMSKeyArn(c.KeyArn, c.AccountID, c.Region), "deploy the archive again")
	}
}

// NewSourceReplicator creates the replication role and one replication configuration per source bucket.
func NewSourceReplicator(ctx *pulumi.Context, name string, args *SourceReplicatorArgs, opts ...pulumi.ResourceOption) (*SourceReplicator, error) {
	if args == nil {
		return nil, errors.New("SourceReplicator: args are required")
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("SourceReplicator %q: %w", name, err)
	}
	trust := replicationTrustPolicy()
	trustJSON, err := trust.JSON()
	if err != nil {
		return nil, err
	}

	c := &SourceReplicator{TrustPolicy: trust}
	if err := ctx.RegisterComponentResource(SourceReplicatorType, name, c, opts...); err != nil {
		return nil, fmt.Errorf("registering SourceReplicator %q: %w", name, err)
	}
	parent := pulumi.Parent(c)

	// The name and path are the archive's contract: its policies pin exactly this role (R2.4, R3.3). IAM
	// cannot rename a role or move it to another path, and the provider would replace it by creating the
	// new role first, which fails on the name (EntityAlreadyExists) after the old one lost nothing yet, or,
	// with delete-before-replace, leaves replication without a role. So the role keeps the identity it was
	// created with (IgnoreChanges), and identityChecked stops this stack, before its policy or any
	// replication configuration changes, when the archive now pins another identity.
	role, err := iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Name:             pulumi.String(args.Archive.RoleName),
		Path:             pulumi.String(args.Archive.RolePath),
		Description:      pulumi.Sprintf("S3 replication into the log archive s3://%s", args.Archive.BucketName),
		AssumeRolePolicy: pulumi.String(trustJSON),
		// D8: the boundary caps the role whatever its policies say; an existing role gains it in place.
		PermissionsBoundary: pulumi.String(awsid.RoleBoundaryArn(args.Region, args.AccountID)),
		Tags:                pulumi.ToStringMap(args.Tags),
	}, parent, pulumi.IgnoreChanges([]string{"name", "path"}))
	if err != nil {
		return nil, fmt.Errorf("creating replication role: %w", err)
	}
	wantArn := awsid.ARNsFor(args.Region).Role(args.AccountID, args.Archive.RolePath, args.Archive.RoleName)
	roleArn := role.Arn.ApplyT(func(arn string) (string, error) {
		return arn, CheckRoleIdentity(arn, wantArn)
	}).(pulumi.StringOutput)
	roleName := pulumi.All(roleArn, role.Name).ApplyT(func(v []any) string { return v[1].(string) }).(pulumi.StringOutput)

	// in is where a bucket's resources go: under the component, through its Region's provider. A Region
	// other than the stack's has its own (Providers): that Region's log buckets (key, bucket and all), and
	// the versioning and replication configuration of its buckets. IAM is global, so the roles and their
	// policies use the stack's own provider, as does everything in the stack's Region.
	in := func(region string, opts ...pulumi.ResourceOption) []pulumi.ResourceOption {
		opts = append([]pulumi.ResourceOption{parent}, opts...)
		if region = args.regionOf(region); region != args.Region {
			opts = append(opts, pulumi.Provider(args.Providers[region]))
		}
		return opts
	}

	// The log buckets come first: the role policy names their keys, whose ARNs AWS assigns. A component
	// given a provider hands it to its children.
	logKeys := pulumi.StringArray{}
	for _, b := range args.LogBuckets {
		lb, err := NewSourceLogBucket(ctx, name+"-"+b.Name, args.LogBucketArgs(b), in(b.Region)...)
		if err != nil {
			return nil, err
		}
		c.LogBuckets = append(c.LogBuckets, lb)
		logKeys = append(logKeys, lb.KeyArn)
	}
	rolePolicies, err := newRolePermissions(ctx, name+"-role-policy", "replicate-into-log-archive", roleName,
		func(keys []string) rolePermissions { return replicationRolePermissions(args, keys) }, logKeys.ToStringArrayOutput(),
		args.Tags, parent)
	if err != nil {
		return nil, fmt.Errorf("creating replication role policies: %w", err)
	}

	for _, b := range args.Buckets {
		// R4.1. Retained on delete: destroying this stack must never suspend versioning on a bucket the
		// user owns and that may still hold the only copy of a log.
		versioning, err := s3.NewBucketVersioningV2(ctx, name+"-"+b.Name+"-versioning", &s3.BucketVersioningV2Args{
			Bucket:                  pulumi.String(b.Name),
			ExpectedBucketOwner:     pulumi.String(args.AccountID),
			VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
		}, in(b.Region, pulumi.RetainOnDelete(true))...)
		if err != nil {
			return nil, fmt.Errorf("enabling versioning on %s: %w", b.Name, err)
		}
		// Replication starts the moment the configuration exists and S3 never retries a FAILED object
		// (R5.9), so it waits for versioning and for every one of the role's policies.
		if _, err := s3.NewBucketReplicationConfig(ctx, name+"-"+b.Name+"-replication", &s3.BucketReplicationConfigArgs{
			Bucket: pulumi.String(b.Name),
			Role:   roleArn,
			Rules:  s3.BucketReplicationConfigRuleArray{replicationRule(args, b, 1)},
		}, in(b.Region, pulumi.DependsOn(append([]pulumi.Resource{versioning}, rolePolicies...)))...); err != nil {
			return nil, fmt.Errorf("configuring replication of %s: %w", b.Name, err)
		}
	}
	// Log buckets replicate whole: the services write under AWSLogs/ only. The bucket is named by the
	// component's output, so the configuration also waits for the bucket itself.
	for i, lb := range c.LogBuckets {
		b := SourceBucket{Name: args.LogBuckets[i].Name}
		if _, err := s3.NewBucketReplicationConfig(ctx, name+"-"+b.Name+"-replication", &s3.BucketReplicationConfigArgs{
			Bucket: lb.BucketName,
			Role:   roleArn,
			Rules:  s3.BucketReplicationConfigRuleArray{replicationRule(args, b, 1)},
		}, in(args.LogBuckets[i].Region, pulumi.DependsOn(append([]pulumi.Resource{lb.versioning}, rolePolicies...)))...); err != nil {
			return nil, fmt.Errorf("configuring replication of %s: %w", b.Name, err)
		}
	}

	backfill, err := newBackfillRole(ctx, name, args, parent)
	if err != nil {
		return nil, err
	}
	if args.alarmsOn() {
		if c.AlarmTopicArns, err = newRegionAlarms(ctx, name, args, c.LogBuckets, in); err != nil {
			return nil, err
		}
	}

	c.RoleArn = roleArn
	c.RoleName = roleName
	c.BackfillRoleArn = backfill.Arn
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"roleArn": c.RoleArn, "roleName": c.RoleName, "backfillRoleArn": c.BackfillRoleArn,
	}); err != nil {
		return nil, fmt.Errorf("registering SourceReplicator outputs: %w", err)
	}
	return c, nil
}

// newRegionAlarms creates one ReplicationAlarms per Region of the stack's buckets: OperationsFailedReplication
// is published in the source bucket's Region, and an alarm lives, and notifies, in its metric's Region.
// It returns the topic of each Region.
//
// Each topic has exactly one owner. SNS CreateTopic is idempotent, so two resources that create
// alarmTopicName in one Region share one topic, race to set its policy, and the delete of either deletes
// it for both. A Region's own component owns its topic; with replication time control, the archive
// Region's topic (the latency alarms') is owned by the archive Region's component when the stack has
// buckets there, else by the first Region's (the one that has always created it); every other component
// names it by ARN and waits for its policy.
func newRegionAlarms(ctx *pulumi.Context, name string, args *SourceReplicatorArgs, logBuckets []*SourceLogBucket,
	in func(string, ...pulumi.ResourceOption) []pulumi.ResourceOption) (map[string]string, error) {
	var regions []string
	for _, region := range args.Regions() {
		if args.hasBucketsIn(region) {
			regions = append(regions, region)
		}
	}
	// The owner of the archive Region's topic comes first, so the others can name it.
	if i := slices.Index(regions, args.Archive.Region); i > 0 {
		regions = append(append([]string{regions[i]}, regions[:i]...), regions[i+1:]...)
	}
	archiveTopic := args.Alarms.TopicArns[args.Archive.Region]
	var archiveTopicReady []pulumi.Resource
	topics := map[string]string{}
	for _, region := range regions {
		named := args.Alarms.TopicArns[region]
		var buckets []AlarmBucket
		for _, b := range args.Buckets {
			if args.regionOf(b.Region) == region {
				buckets = append(buckets, AlarmBucket{Name: b.Name})
			}
		}
		for i, b := range args.LogBuckets {
			if args.regionOf(b.Region) == region {
				buckets = append(buckets, AlarmBucket{Name: b.Name, Events: named == "", Bucket: logBuckets[i].bucket})
			}
		}
		alarmsName := name + "-alarms" // the stack's Region keeps the plain name
		if region != args.Region {
			alarmsName += "-" + region
		}
		alarms, err := NewReplicationAlarms(ctx, alarmsName, &ReplicationAlarmsArgs{
			AccountID: args.AccountID, Region: region, ArchiveRegion: args.Archive.Region, ArchiveBucket: args.Archive.BucketName,
			Buckets: buckets, ReplicationTimeControl: args.ReplicationTimeControl,
			TopicArn: named, ArchiveRegionTopicArn: archiveTopic, ArchiveRegionTopicReady: archiveTopicReady,
			ArchiveRegionProvider: args.Providers[args.Archive.Region], Tags: args.Tags,
		}, in(region)...)
		if err != nil {
			return nil, err
		}
		topics[region] = alarms.TopicArn
		if args.ReplicationTimeControl && archiveTopic == "" {
			archiveTopic, archiveTopicReady = alarms.LatencyTopicArn, alarms.LatencyTopicReady
		}
	}
	return topics, nil
}

// backfillRolePath is the IAM path of the backfill role: fixed, because the archive does not pin this role,
// and a path that followed the archive's pinned one would replace it whenever that changes.
const backfillRolePath = "/log-archive/"

// newBackfillRole is the role S3 Batch Replication jobs run as, for objects written before replication
// existed (R4.12) and FAILED ones, which S3 never retries (R5.9). Its name is Pulumi's (autonamed): the
// archive does not pin it, and a second stack in the account must not collide with it.
func newBackfillRole(ctx *pulumi.Context, name string, args *SourceReplicatorArgs, opts ...pulumi.ResourceOption) (*iam.Role, error) {
	trustJSON, err := backfillTrustPolicy().JSON()
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(ctx, name+"-backfill-role", &iam.RoleArgs{
		Path:             pulumi.String(backfillRolePath),
		Description:      pulumi.Sprintf("S3 Batch Replication of existing and failed objects into the log archive s3://%s", args.Archive.BucketName),
		AssumeRolePolicy: pulumi.String(trustJSON),
		// D8, as for the replication role.
		PermissionsBoundary: pulumi.String(awsid.RoleBoundaryArn(args.Region, args.AccountID)),
		Tags:                pulumi.ToStringMap(args.Tags),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating backfill role: %w", err)
	}
	if _, err := newRolePermissions(ctx, name+"-backfill-role-policy", "initiate-batch-replication", role.Name,
		func([]string) rolePermissions { return backfillRolePermissions(args) }, pulumi.StringArray{}.ToStringArrayOutput(),
		args.Tags, opts...); err != nil {
		return nil, fmt.Errorf("creating backfill role policies: %w", err)
	}
	return role, nil
}

// newRolePermissions gives a role the permissions layout(keys) lays out (rolePermissions): the inline
// policy inlineName, named name in Pulumi as it always was, and a customer managed policy and its
// attachment per shard, named name-<shard>. Which documents exist is decided with layout(nil), whose
// stand-in key ARNs have the exact length of the real ones, so it is known before AWS assigns the keys;
// each document is rendered with the real ones. It returns every resource that grants the role
// something, which whatever uses the role waits for.
//
// Moving an existing role from its inline policy to managed policies never leaves it without a grant: the
// engine creates the policies and attachments before it deletes or shrinks the inline policy (the inline
// policy waits for the attachments, and a resource the program no longer registers is deleted last).
func newRolePermissions(ctx *pulumi.Context, name, inlineName string, role pulumi.StringInput,
	layout func(keys []string) rolePermissions, keys pulumi.StringArrayOutput, tags map[string]string, opts ...pulumi.ResourceOption,
) ([]pulumi.Resource, error) {
	render := func(pick func(rolePermissions) (policy.Document, error)) pulumi.StringOutput {
		return keys.ApplyT(func(keys []string) (string, error) {
			d, err := pick(layout(keys))
			if err != nil {
				return "", err
			}
			return d.JSON()
		}).(pulumi.StringOutput)
	}
	planned := layout(nil)
	var grants []pulumi.Resource
	for _, m := range planned.Managed {
		shard := m.Shard
		policy, err := iam.NewPolicy(ctx, fmt.Sprintf("%s-%d", name, shard), &iam.PolicyArgs{
			Path:        pulumi.String(backfillRolePath),
			Description: pulumi.Sprintf("log-archive: %s, part %d of at most %d", inlineName, shard, MaxAttachedPolicies),
			Policy: render(func(p rolePermissions) (policy.Document, error) {
				for _, got := range p.Managed {
					if got.Shard == shard {
						return got.Document, nil
					}
				}
				return policy.Document{}, fmt.Errorf("managed policy %d of %s is missing once the keys are known", shard, inlineName)
			}),
			Tags: pulumi.ToStringMap(tags),
		}, opts...)
		if err != nil {
			return nil, err
		}
		attachment, err := iam.NewRolePolicyAttachment(ctx, fmt.Sprintf("%s-%d-attachment", name, shard), &iam.RolePolicyAttachmentArgs{
			Role:      role,
			PolicyArn: policy.Arn,
		}, opts...)
		if err != nil {
			return nil, err
		}
		grants = append(grants, attachment)
	}
	if planned.Inline != nil {
		inline, err := iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{
			Name: pulumi.String(inlineName),
			Role: role,
			Policy: render(func(p rolePermissions) (policy.Document, error) {
				if p.Inline == nil {
					return policy.Document{}, fmt.Errorf("the inline policy %s is missing once the keys are known", inlineName)
				}
				return *p.Inline, nil
			}),
		}, append(opts, pulumi.DependsOn(grants))...)
		if err != nil {
			return nil, err
		}
		grants = append(grants, inline)
	}
	return grants, nil
}

// replicationRule is one V2 rule into the archive (R4.4-R4.9, R2.7).
func replicationRule(args *SourceReplicatorArgs, b SourceBucket, priority int) *s3.BucketReplicationConfigRuleArgs {
	archive := args.Archive
	deleteMarkers := "Disabled"
	if args.ReplicateDeleteMarkers {
		deleteMarkers = "Enabled"
	}
	dest := &s3.BucketReplicationConfigRuleDestinationArgs{
		Bucket:                   pulumi.String(awsid.BucketArn(archive.Region, archive.BucketName)),
		Account:                  pulumi.String(archive.AccountID),
		AccessControlTranslation: &s3.BucketReplicationConfigRuleDestinationAccessControlTranslationArgs{Owner: pulumi.String("Destination")},
		EncryptionConfiguration: &s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs{
			ReplicaKmsKeyId: pulumi.String(archive.KeyArn),
		},
	}
	if args.StorageClass != "" {
		dest.StorageClass = pulumi.String(args.StorageClass)
	}
	if !args.DisableMetrics || args.ReplicationTimeControl {
		metrics := &s3.BucketReplicationConfigRuleDestinationMetricsArgs{Status: pulumi.String("Enabled")}
		if args.ReplicationTimeControl {
			metrics.EventThreshold = &s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs{Minutes: pulumi.Int(15)}
		}
		dest.Metrics = metrics
	}
	if args.ReplicationTimeControl {
		dest.ReplicationTime = &s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs{
			Status: pulumi.String("Enabled"),
			Time:   &s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs{Minutes: pulumi.Int(15)},
		}
	}
	return &s3.BucketReplicationConfigRuleArgs{
		Id:                      pulumi.String(contract.RuleID(archive.BucketName)),
		Priority:                pulumi.Int(priority),
		Status:                  pulumi.String("Enabled"),
		Filter:                  &s3.BucketReplicationConfigRuleFilterArgs{Prefix: pulumi.String(b.Prefix)},
		DeleteMarkerReplication: &s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs{Status: pulumi.String(deleteMarkers)},
		SourceSelectionCriteria: &s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs{
			SseKmsEncryptedObjects: &s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs{Status: pulumi.String("Enabled")},
		},
		Destination: dest,
	}
}

// RoleIdentityError is a replication role whose path or name is not the one the archive pins.
type RoleIdentityError struct{ Existing, Pinned string }

func (e *RoleIdentityError) Error() string {
	return fmt.Sprintf("this account's replication role is %s, but the archive now pins %s (its "+
		"replicationRolePath and replicationRoleName outputs), so the archive refuses this role and replication "+
		"stops. IAM cannot rename a role or change its path, so nothing was changed here. Fix: set "+
		"log-archive:replicationRoleName and log-archive:replicationRolePath in the archive's stack file back "+
		"to match %s and run `pulumi up` on the archive; or move this account to the new identity with "+
		"`pulumi destroy` and then `pulumi up` on this stack (objects written in between are not replicated: "+
		"copy them with S3 Batch Replication)", e.Existing, e.Pinned, e.Existing)
}

// CheckRoleIdentity compares the replication role that exists with the one the archive pins (R2.4).
func CheckRoleIdentity(existing, pinned string) error {
	if existing == pinned {
		return nil
	}
	return &RoleIdentityError{Existing: existing, Pinned: pinned}
}
