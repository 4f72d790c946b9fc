package components

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/internal/awsid"
	"log-archive/internal/fielderr"
	"log-archive/internal/policy"
)

// SourceLogBucketType is the component's type token.
const SourceLogBucketType = "log-archive:index:SourceLogBucket"

// LogService is an AWS service that writes logs into a bucket.
type LogService string

const (
	GuardDuty   LogService = "guardduty"     // findings export (G1)
	CloudTrail  LogService = "cloudtrail"    // trail log files (C1)
	VPCFlowLogs LogService = "vpc-flow-logs" // flow logs delivered to S3 (V1)
)

// LogServices are the services a log bucket can be made ready for.
var LogServices = []LogService{GuardDuty, CloudTrail, VPCFlowLogs}

// LogBucket is a bucket this program creates in a source account for the log services it names, with the
// identifiers their confused-deputy conditions need.
type LogBucket struct {
	Name                string
	Services            []LogService
	GuardDutyDetectorID string   // required with GuardDuty (G1)
	TrailNames          []string // required with CloudTrail: the trails that deliver here (C1)
	// Region is where the bucket and its key are (GuardDuty needs both in one Region, G1); "" is the
	// stack's Region.
	Region string
	// ServiceRegion is where the detector and the flow logs run and the trails' home Region; "" is the
	// bucket's Region.
	ServiceRegion string
	// AdoptKeyArn, when set, adopts the bucket, its key (this ARN) and everything around them from an
	// earlier stack that was destroyed (they were retained) instead of creating them: re-onboarding an
	// account, or rebuilding a lost stack, would otherwise fail on BucketAlreadyOwnedByYou.
	AdoptKeyArn string
	// ObjectLock, when set, gives the bucket Object Lock with this default retention, so the services'
	// logs are locked where they are written and their replicas carry the lock into the archive (H3: an
	// archive's own default retention may not apply to replicas). The source account then cannot delete
	// them either, and pays to keep them for the retention period. Needs an archive with Object Lock (R4.14),
	// and services shown to send the checksum S3 requires of uploads into a locked bucket (H8): today none.
	ObjectLock *ObjectLockRetention
}

// Serves says whether the bucket is made ready for a service.
func (b *LogBucket) Serves(s LogService) bool { return slices.Contains(b.Services, s) }

func (b *LogBucket) serviceRegion(bucketRegion string) string {
	if b.ServiceRegion != "" {
		return b.ServiceRegion
	}
	return bucketRegion
}

func (b *LogBucket) trailArns(a awsid.ARNs, region, account string) policy.Strings {
	out := make(policy.Strings, len(b.TrailNames))
	for i, name := range b.TrailNames {
		out[i] = a.Trail(region, account, name)
	}
	return out
}

// KeyAlias is the alias of the bucket's key: alias/log-archive/<bucket>, dots turned into underscores
// (aliases take no dots, bucket names no underscores, so two buckets never share an alias).
func (b *LogBucket) KeyAlias() string {
	return "alias/log-archive/" + strings.ReplaceAll(b.Name, ".", "_")
}

// bucketPlace is where a log bucket is: its account and Region, whether that Region is usable (so that
// the checks that depend on it are not reported on top of its own problem), and a hint for the fixes that
// name it.
type bucketPlace struct {
	Account, Region string
	RegionOK        bool
	Hint            string
}

// validate checks the bucket name, the services and the identifiers each service needs, at where.
func (b *LogBucket) validate(l *fielderr.List, where bucketPlace) {
	bucketRegion, regionOK := where.Region, where.RegionOK
	if b.Name == "" {
		l.Add("Name", "", "this field is required", "name the bucket to create, e.g. acme-workload-a-logs-eu-west-1 (globally unique)")
	} else {
		l.Check("Name", b.Name, awsid.ValidateBucketName(b.Name),
			"choose a globally unique name of 3-63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit")
	}
	known := serviceList(LogServices)
	if len(b.Services) == 0 {
		l.Add("Services", "", "no service is named", "list the services that write into this bucket: one or more of "+known)
	}
	for i, s := range b.Services {
		switch field := fmt.Sprintf("Services[%d]", i); {
		case !slices.Contains(LogServices, s):
			l.Add(field, fielderr.Quote(string(s)), "is not a log service this program knows", "use one of "+known)
		case slices.Index(b.Services, s) != i:
			l.Add(field, fielderr.Quote(string(s)), "is named twice", "remove the duplicate")
		}
	}
	switch {
	case b.Serves(GuardDuty) && b.GuardDutyDetectorID == "":
		l.Add("GuardDutyDetectorID", "", "guardduty is named but its detector is not",
			"set {GuardDutyDetectorID} to the ID `aws guardduty list-detectors` prints in the service Region; the key and bucket policies admit only that detector (G1)")
	case b.Serves(GuardDuty):
		l.Check("GuardDutyDetectorID", b.GuardDutyDetectorID, awsid.ValidateGuardDutyDetectorID(b.GuardDutyDetectorID),
			"copy the detector ID from `aws guardduty list-detectors`, 32 lowercase letters and digits")
	case b.GuardDutyDetectorID != "":
		l.Add("GuardDutyDetectorID", fielderr.Quote(b.GuardDutyDetectorID), "is set but guardduty is not among the services",
			"add guardduty to services, or remove {GuardDutyDetectorID}")
	}
	switch {
	case b.Serves(CloudTrail) && len(b.TrailNames) == 0:
		l.Add("TrailNames", "", "cloudtrail is named but no trail is",
			"list the names of the trails that deliver into this bucket; the policies admit only those trails (C1)")
	case !b.Serves(CloudTrail) && len(b.TrailNames) > 0:
		shown, _ := json.Marshal(b.TrailNames)
		l.Add("TrailNames", string(shown), "are set but cloudtrail is not among the services", "add cloudtrail to services, or remove {TrailNames}")
	}
	for i, t := range b.TrailNames {
		field := fmt.Sprintf("TrailNames[%d]", i)
		if l.Check(field, t, awsid.ValidateTrailName(t), "give the trail's name as CloudTrail shows it, e.g. management-events") &&
			slices.Index(b.TrailNames, t) != i {
			l.Add(field, fielderr.Quote(t), "is listed twice", "remove the duplicate")
		}
	}
	if b.ObjectLock != nil {
		if refused := ServicesNotShownToWriteLocked(b.Services); len(refused) > 0 {
			names := serviceList(refused)
			l.Add("ObjectLock", fmt.Sprintf("{mode: %s, days: %d}", b.ObjectLock.Mode, b.ObjectLock.Days),
				"S3 refuses every upload into a bucket with Object Lock retention that lacks a Content-MD5 or checksum header, and no AWS page shows that "+
					names+" send one: "+names+" would stop delivering (H8)",
				"remove objectLock from this log bucket. Lock at the archive instead (log-archive:objectLock in the archive's stack file; `verify` then reports any replica its retention does not lock, H3), "+
					"or keep Object Lock for a bucket these services do not write into")
		} else {
			b.ObjectLock.validate(l.Nest("ObjectLock"))
		}
	}
	if b.AdoptKeyArn != "" && regionOK && awsid.ValidateAccountID(where.Account) == nil {
		l.Check("AdoptKeyArn", b.AdoptKeyArn, awsid.ValidateKMSKeyArn(b.AdoptKeyArn, where.Account, bucketRegion),
			"give the keyArn the earlier stack published for this bucket (`pulumi stack output logBuckets`), "+
				"arn:"+partitionOr(bucketRegion)+":kms:"+bucketRegion+":"+where.Account+":key/<key-id>"+where.Hint+", or remove adoptKeyArn to create a new bucket")
	}
	// ServiceRegion keeps its meaning: where the services run. It defaults to the bucket's Region (G1:
	// GuardDuty exports to a bucket and key of one Region).
	if b.ServiceRegion != "" {
		where := bucketRegion
		if where == "" {
			where = "the bucket's Region"
		}
		if !l.Check("ServiceRegion", b.ServiceRegion, awsid.ValidateRegion(b.ServiceRegion),
			"use the Region code the detector, the flow logs and the trails' home Region are in, e.g. eu-west-1, or remove it for "+where) || !regionOK {
			return
		}
		if b.Serves(GuardDuty) && awsid.IsOptInRegion(bucketRegion) && !awsid.IsOptInRegion(b.ServiceRegion) {
			l.Add("ServiceRegion", fielderr.Quote(b.ServiceRegion), "is enabled by default, and GuardDuty cannot export findings from such a Region to a bucket in "+bucketRegion+", an opt-in Region (G1)",
				"set this log bucket's region to "+b.ServiceRegion+" (or another Region enabled by default), or leave guardduty out of this bucket's services")
		}
		if p1, p2, differ := awsid.DifferentPartitions(b.ServiceRegion, bucketRegion); differ {
			l.Add("ServiceRegion", fielderr.Quote(b.ServiceRegion), "is in partition "+p1+" and the bucket in "+p2,
				"services cannot write across partitions: create the log bucket in a stack of that partition")
		}
	}
}

// lockedDelivery names, for each log service, the fact that shows it delivers into a bucket with Object
// Lock default retention, where S3 refuses a PutObject without a Content-MD5 or checksum header (H8).
// None is shown yet; a service whose page shows it gets its fact ID here, and its log buckets may then
// carry Object Lock.
var lockedDelivery = map[LogService]string{}

// ServicesNotShownToWriteLocked are the services among services that no AWS page shows writing into a
// bucket with Object Lock retention (H8).
func ServicesNotShownToWriteLocked(services []LogService) []LogService {
	var out []LogService
	for _, s := range services {
		if slices.Contains(LogServices, s) && lockedDelivery[s] == "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// AdoptedBefore is the index of an earlier log bucket that adopts the same key as buckets[i], or -1. One
// key imported as two resources would have two owners: the second import fails, or a later change to one
// bucket's key rewrites the other's key policy.
func AdoptedBefore(buckets []LogBucket, i int) int {
	if buckets[i].AdoptKeyArn == "" {
		return -1
	}
	return slices.IndexFunc(buckets[:i], func(b LogBucket) bool { return b.AdoptKeyArn == buckets[i].AdoptKeyArn })
}

func serviceList(services []LogService) string {
	names := make([]string, len(services))
	for i, s := range services {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// SourceLogBucketArgs describes one log bucket in a source account. Plain values, validated before
// registration, as for the other components.
type SourceLogBucketArgs struct {
	AccountID string // the source account
	Region    string // the bucket's and the key's Region
	Bucket    LogBucket
	Tags      map[string]string
}

// Validate checks the arguments and that both policies fit their AWS limits.
func (args *SourceLogBucketArgs) Validate() error {
	var l fielderr.List
	l.Check("AccountID", args.AccountID, awsid.ValidateAccountID(args.AccountID), `write the account's 12-digit ID in quotes, e.g. "222222222222"`)
	regionOK := l.Check("Region", args.Region, awsid.ValidateRegion(args.Region), "use a Region code such as eu-west-1 or us-east-2")
	validateTags(&l, args.Tags)
	args.Bucket.validate(l.Nest("Bucket"), bucketPlace{Account: args.AccountID, Region: args.Region, RegionOK: regionOK})
	if l.Has() {
		return l.Err()
	}
	return args.CheckPolicySizes()
}

// CheckPolicySizes reports a key or bucket policy over its AWS limit; only trail names make them grow.
func (args *SourceLogBucketArgs) CheckPolicySizes() error {
	return errors.Join(
		policy.CheckSize("the log bucket policy of "+args.Bucket.Name, logBucketPolicy(args), policy.BucketPolicyLimit, "name fewer trails"),
		policy.CheckSize("the log bucket key policy of "+args.Bucket.Name, logBucketKeyPolicy(args), policy.KeyPolicyLimit, "name fewer trails"))
}

// SourceLogBucket is a source account's log bucket: a customer managed key that only the named services
// (and the account) may use, and a versioned SSE-KMS bucket they may write into.
type SourceLogBucket struct {
	pulumi.ResourceState

	BucketName pulumi.StringOutput `pulumi:"bucketName"`
	BucketArn  pulumi.StringOutput `pulumi:"bucketArn"`
	KeyArn     pulumi.StringOutput `pulumi:"keyArn"`
	KeyAlias   pulumi.StringOutput `pulumi:"keyAlias"`

	BucketPolicy policy.Document
	KeyPolicy    policy.Document

	// versioning is what replication out of this bucket waits for (R4.1); bucket is what its event
	// notification waits for. Resources, not the component: depending on a component waits only for the
	// children it has registered so far, which varies from run to run.
	versioning pulumi.Resource
	bucket     pulumi.Resource
}

// NewSourceLogBucket creates the key, the bucket and their policies. Every child is retained on delete:
// destroying a source stack stops replication, but the account's logs, the key that reads them and the
// policies the services write with all stay.
func NewSourceLogBucket(ctx *pulumi.Context, name string, args *SourceLogBucketArgs, opts ...pulumi.ResourceOption) (*SourceLogBucket, error) {
	if args == nil {
		return nil, errors.New("SourceLogBucket: args are required")
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("SourceLogBucket %q: %w", name, err)
	}
	bucketPolicy, keyPolicy := logBucketPolicy(args), logBucketKeyPolicy(args)
	bucketPolicyJSON, err := bucketPolicy.JSON()
	if err != nil {
		return nil, err
	}
	keyPolicyJSON, err := keyPolicy.JSON()
	if err != nil {
		return nil, err
	}

	c := &SourceLogBucket{BucketPolicy: bucketPolicy, KeyPolicy: keyPolicy}
	if err := ctx.RegisterComponentResource(SourceLogBucketType, name, c, opts...); err != nil {
		return nil, fmt.Errorf("registering SourceLogBucket %q: %w", name, err)
	}
	keep := []pulumi.ResourceOption{pulumi.Parent(c), pulumi.RetainOnDelete(true)}
	tags := pulumi.ToStringMap(args.Tags)
	owner := pulumi.String(args.AccountID)
	b := args.Bucket
	// adopt adds, when adopting, the import ID AWS knows the resource by (pulumi-aws import formats; the
	// bucket sub-resources that set ExpectedBucketOwner are known by "bucket,account").
	adopt := func(id string, extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
		if b.AdoptKeyArn == "" {
			return keep
		}
		return append(slices.Concat(keep, extra), pulumi.Import(pulumi.ID(id)))
	}
	byOwner := b.Name + "," + args.AccountID

	adoptedKeyID, _ := keyID(b.AdoptKeyArn)
	key, err := newCustomerManagedKey(ctx, name, pulumi.Sprintf("log-archive: encrypts the logs %s write into s3://%s", serviceList(b.Services), b.Name),
		pulumi.String(keyPolicyJSON), tags,
		// KMS never reports a key's deletion window, so an adopted key cannot show the one set here.
		adopt(adoptedKeyID, pulumi.IgnoreChanges([]string{"deletionWindowInDays"}))...)
	if err != nil {
		return nil, err
	}
	alias, err := kms.NewAlias(ctx, name+"-key-alias", &kms.AliasArgs{
		Name:        pulumi.String(b.KeyAlias()),
		TargetKeyId: key.KeyId,
	}, adopt(b.KeyAlias())...)
	if err != nil {
		return nil, fmt.Errorf("creating log bucket key alias: %w", err)
	}
	bucket, err := newBucket(ctx, name, b.Name, b.ObjectLock != nil, tags, adopt(b.Name)...)
	if err != nil {
		return nil, err
	}
	// R1.11: the account owns every object the services write, so the replication role can read each one.
	controls, err := newPrivateBucketControls(ctx, name, bucket, adopt(b.Name)...)
	if err != nil {
		return nil, err
	}
	// R4.1: replication needs the source bucket versioned.
	versioning, err := newBucketVersioning(ctx, name, bucket, owner, adopt(byOwner)...)
	if err != nil {
		return nil, err
	}
	if err := newDefaultKMSEncryption(ctx, name, bucket, owner, key, adopt(byOwner)...); err != nil {
		return nil, err
	}
	if b.ObjectLock != nil { // H3
		if err := newObjectLockRetention(ctx, name, bucket, owner, b.ObjectLock, versioning, adopt(byOwner)...); err != nil {
			return nil, err
		}
	}
	// V1: a flow log rewrites a bucket policy that lacks its statements, so they live here, in the program.
	if err := newBucketPolicy(ctx, name, bucket, pulumi.String(bucketPolicyJSON), controls, adopt(b.Name)...); err != nil {
		return nil, err
	}

	c.BucketName = bucket.Bucket
	c.BucketArn = bucket.Arn
	c.KeyArn = key.Arn
	c.KeyAlias = alias.Name
	c.versioning = versioning
	c.bucket = bucket
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"bucketName": c.BucketName,
		"bucketArn":  c.BucketArn,
		"keyArn":     c.KeyArn,
		"keyAlias":   c.KeyAlias,
	}); err != nil {
		return nil, fmt.Errorf("registering SourceLogBucket outputs: %w", err)
	}
	return c, nil
}

// keyID is the key ID at the end of a KMS key ARN, which is how KMS (and an import) knows the key.
func keyID(keyArn string) (string, error) {
	_, id, ok := strings.Cut(keyArn, ":key/")
	if !ok || id == "" {
		return "", fmt.Errorf("%q is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)", keyArn)
	}
	return id, nil
}
