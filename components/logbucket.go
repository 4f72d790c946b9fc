package components

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/internal/awsid"
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

// Validate checks the bucket name, the services and the identifiers each service needs.
func (b *LogBucket) Validate(bucketRegion string) error {
	var errs fieldErrors
	check := errs.add
	check("Name", awsid.ValidateBucketName(b.Name))
	if len(b.Services) == 0 {
		check("Services", fmt.Errorf("no service named; name at least one of %s", serviceList(LogServices)))
	}
	for i, s := range b.Services {
		if !slices.Contains(LogServices, s) {
			check(fmt.Sprintf("Services[%d]", i), fmt.Errorf("%q is not a log service this program knows (%s)", s, serviceList(LogServices)))
		} else if slices.Index(b.Services, s) != i {
			check(fmt.Sprintf("Services[%d]", i), fmt.Errorf("%q is named twice", s))
		}
	}
	switch {
	case b.Serves(GuardDuty):
		check("GuardDutyDetectorID", awsid.ValidateGuardDutyDetectorID(b.GuardDutyDetectorID))
		if detector := b.serviceRegion(bucketRegion); awsid.IsOptInRegion(bucketRegion) && !awsid.IsOptInRegion(detector) {
			check("ServiceRegion", fmt.Errorf("GuardDuty cannot export findings from %s, a Region enabled by default, to a bucket in %s, an opt-in Region (G1)", detector, bucketRegion))
		}
	case b.GuardDutyDetectorID != "":
		check("GuardDutyDetectorID", errors.New("is set but guardduty is not among the services"))
	}
	switch {
	case b.Serves(CloudTrail) && len(b.TrailNames) == 0:
		check("TrailNames", errors.New("cloudtrail needs the names of the trails that deliver here (C1)"))
	case !b.Serves(CloudTrail) && len(b.TrailNames) > 0:
		check("TrailNames", errors.New("are set but cloudtrail is not among the services"))
	}
	for i, t := range b.TrailNames {
		check(fmt.Sprintf("TrailNames[%d]", i), awsid.ValidateTrailName(t))
		if slices.Index(b.TrailNames, t) != i {
			check(fmt.Sprintf("TrailNames[%d]", i), fmt.Errorf("%q is listed twice", t))
		}
	}
	if b.ObjectLock != nil {
		if refused := ServicesNotShownToWriteLocked(b.Services); len(refused) > 0 {
			check("ObjectLock", fmt.Errorf("no AWS page shows that %s send the Content-MD5 or checksum header S3 requires on every upload into a bucket with Object Lock retention: their logs would be refused (H8)", serviceList(refused)))
		} else {
			check("ObjectLock", b.ObjectLock.Validate())
		}
	}
	if b.ServiceRegion != "" {
		check("ServiceRegion", awsid.ValidateRegion(b.ServiceRegion))
		if p, want, differ := awsid.DifferentPartitions(b.ServiceRegion, bucketRegion); differ {
			check("ServiceRegion", fmt.Errorf("%s is in partition %s and the bucket in %s; services cannot write across partitions", b.ServiceRegion, p, want))
		}
	}
	return errors.Join(errs...)
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

// LogServiceNames are the names log-archive:logBuckets accepts in services.
func LogServiceNames() []string {
	names := make([]string, len(LogServices))
	for i, s := range LogServices {
		names[i] = string(s)
	}
	return names
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
	var errs fieldErrors
	check := errs.add
	check("AccountID", awsid.ValidateAccountID(args.AccountID))
	check("Region", awsid.ValidateRegion(args.Region))
	check("Tags", awsid.ValidateTags(args.Tags))
	check("Bucket", args.Bucket.Validate(args.Region))
	if k := args.Bucket.AdoptKeyArn; k != "" {
		check("Bucket.AdoptKeyArn", awsid.ValidateKMSKeyArn(k, args.AccountID, args.Region))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
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
