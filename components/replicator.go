package components

import (
	"errors"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// SourceReplicatorType is the component's type token.
const SourceReplicatorType = "log-archive:index:SourceReplicator"

// MaxPrefixLength is the longest key prefix a replication filter takes (the S3 object key limit).
const MaxPrefixLength = 1024

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
}

// SourceBucket is an existing bucket in the source account whose objects replicate into the archive.
type SourceBucket struct {
	Name       string
	KMSKeyArns []string // every key that encrypts its objects (R1.13)
	Prefix     string   // "" replicates the whole bucket
	ObjectLock bool     // the bucket has Object Lock (R1.7, R4.14)
}

// SourceReplicatorArgs describes one source account. Plain values, validated before registration, as for
// DestinationArchiveArgs.
type SourceReplicatorArgs struct {
	AccountID string
	Region    string
	Archive   ArchiveContract
	Buckets   []SourceBucket // existing buckets
	// LogBuckets are created here (a SourceLogBucket each) and replicated whole; the role decrypts with
	// their keys without anyone typing an ARN.
	LogBuckets []LogBucket

	StorageClass           string // "" keeps the source object's class (R4.13)
	ReplicationTimeControl bool   // RTC: 15-minute SLA, turns metrics on (R4.7)
	ReplicateDeleteMarkers bool   // off by default: deletes at the source never hide archived logs (R4.6)
	DisableMetrics         bool   // metrics are on unless disabled; R5.10 needs them to see failures
	Tags                   map[string]string
}

// SourceReplicator is the replication role and the replication configuration of each source bucket.
type SourceReplicator struct {
	pulumi.ResourceState

	RoleArn  pulumi.StringOutput `pulumi:"roleArn"`
	RoleName pulumi.StringOutput `pulumi:"roleName"`
	// BackfillRoleArn is the role S3 Batch Replication jobs run as (H6): `go run ./cmd/backfill`.
	BackfillRoleArn pulumi.StringOutput `pulumi:"backfillRoleArn"`

	// LogBuckets are the log buckets created for args.LogBuckets, in order.
	LogBuckets []*SourceLogBucket

	TrustPolicy PolicyDocument
}

// Validate checks the arguments, the archive contract and the role policy size.
func (args *SourceReplicatorArgs) Validate() error {
	var errs fieldErrors
	check := errs.add
	check("AccountID", ValidateAccountID(args.AccountID))
	check("Region", ValidateRegion(args.Region))
	check("Tags", ValidateTags(args.Tags))
	check("StorageClass", ValidateReplicaStorageClass(args.StorageClass))
	if args.ReplicationTimeControl && args.DisableMetrics {
		check("DisableMetrics", errors.New("replication time control needs replication metrics (R4.7)"))
	}
	check("Archive", args.Archive.validate(args.AccountID, args.Region))
	if len(args.Buckets)+len(args.LogBuckets) == 0 {
		check("Buckets", errors.New("no source bucket given; name at least one bucket to replicate or to create"))
	}
	seen := map[string]bool{}
	for i, b := range args.LogBuckets {
		field := fmt.Sprintf("LogBuckets[%d]", i)
		check(field, b.Validate(args.Region))
		if seen[b.Name] {
			check(field+".Name", fmt.Errorf("%q is listed twice", b.Name))
		}
		seen[b.Name] = true
		if b.Name == args.Archive.BucketName {
			check(field+".Name", fmt.Errorf("%q is the archive bucket itself", b.Name))
		}
		if b.ObjectLock != nil && !args.Archive.ObjectLockEnabled {
			check(field+".ObjectLock", errors.New("a log bucket with Object Lock replicates only into an archive with Object Lock (R4.14)"))
		}
	}
	for i, b := range args.Buckets {
		field := fmt.Sprintf("Buckets[%d]", i)
		check(field+".Name", ValidateBucketName(b.Name))
		if seen[b.Name] {
			check(field+".Name", fmt.Errorf("%q is listed twice (an existing bucket and a log bucket to create share names too); a bucket has one replication configuration", b.Name))
		}
		seen[b.Name] = true
		if b.Name == args.Archive.BucketName {
			check(field+".Name", fmt.Errorf("%q is the archive bucket itself", b.Name))
		}
		if len(b.KMSKeyArns) == 0 {
			check(field+".KMSKeyArns", errors.New("no KMS key given; name every key that encrypts the bucket's objects (R1.13)"))
		}
		for j, k := range b.KMSKeyArns {
			check(fmt.Sprintf("%s.KMSKeyArns[%d]", field, j), ValidateKMSKeyArn(k, args.AccountID, args.Region))
		}
		check(field+".Prefix", ValidateReplicationPrefix(b.Name, b.Prefix))
		if b.ObjectLock && !args.Archive.ObjectLockEnabled {
			check(field+".ObjectLock", errors.New("a source bucket with Object Lock replicates only into an archive with Object Lock (R4.14)"))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for i, b := range args.LogBuckets {
		check(fmt.Sprintf("LogBuckets[%d]", i), args.LogBucketArgs(b).CheckPolicySizes())
	}
	check("Buckets", CheckReplicationRolePolicySize(args))
	return errors.Join(errs...)
}

// CheckReplicationRolePolicySize reports a role policy over the IAM limit for a role's inline policies.
// Log bucket keys do not exist yet; stand-in ARNs of the same length measure them exactly.
func CheckReplicationRolePolicySize(args *SourceReplicatorArgs) error {
	return checkPolicySize(fmt.Sprintf("the replication role policy for %d buckets", len(args.Buckets)+len(args.LogBuckets)),
		ReplicationRolePolicy(args, nil), RoleInlinePolicyLimit,
		"split the buckets across source stacks, or let fewer keys encrypt them")
}

// LogBucketArgs are the arguments of the SourceLogBucket created for b: this account, Region and tags.
func (args *SourceReplicatorArgs) LogBucketArgs(b LogBucket) *SourceLogBucketArgs {
	return &SourceLogBucketArgs{AccountID: args.AccountID, Region: args.Region, Bucket: b, Tags: args.Tags}
}

// replicatedBuckets is every bucket the role reads: the existing ones, then the log buckets with their
// keys. logKeyArns[i] is the key of args.LogBuckets[i]; nil stands in a distinct UUID key ARN for each,
// whose length is exact because every key ID has 36 characters (equal stand-ins would collapse into one
// and undercount the policy AWS measures).
func (args *SourceReplicatorArgs) replicatedBuckets(logKeyArns []string) []SourceBucket {
	out := append([]SourceBucket{}, args.Buckets...)
	for i, b := range args.LogBuckets {
		key := arnsFor(args.Region).key(args.Region, args.AccountID, fmt.Sprintf("00000000-0000-0000-0000-%012d", i))
		if logKeyArns != nil {
			key = logKeyArns[i]
		}
		out = append(out, SourceBucket{Name: b.Name, KMSKeyArns: []string{key}, ObjectLock: b.ObjectLock != nil})
	}
	return out
}

func (c *ArchiveContract) validate(sourceAccount, sourceRegion string) error {
	var errs fieldErrors
	add := errs.add
	add("AccountID", ValidateAccountID(c.AccountID))
	add("Region", ValidateRegion(c.Region))
	add("BucketName", ValidateBucketName(c.BucketName))
	add("RoleName", ValidateRoleName(c.RoleName))
	add("RolePath", ValidateRolePath(c.RolePath))
	if len(errs) == 0 {
		// R4.9: an alias or a key in another account or Region makes every replica unreadable.
		add("KeyArn", ValidateKMSKeyArn(c.KeyArn, c.AccountID, c.Region))
		if dst, src, differ := DifferentPartitions(c.Region, sourceRegion); differ {
			add("Region", fmt.Errorf("the archive is in partition %s and the source in %s; S3 does not replicate across partitions", dst, src))
		}
	}
	if sourceAccount == c.AccountID {
		add("AccountID", fmt.Errorf("the source account %s is the archive account itself", sourceAccount))
	} else if !slices.Contains(c.SourceAccountIDs, sourceAccount) && c.OrganizationID == "" {
		add("SourceAccountIDs", fmt.Errorf("the archive does not accept account %s (it accepts %v)", sourceAccount, c.SourceAccountIDs))
	}
	return errors.Join(errs...)
}

// NewSourceReplicator creates the replication role and one replication configuration per source bucket.
func NewSourceReplicator(ctx *pulumi.Context, name string, args *SourceReplicatorArgs, opts ...pulumi.ResourceOption) (*SourceReplicator, error) {
	if args == nil {
		return nil, errors.New("SourceReplicator: args are required")
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("SourceReplicator %q: %w", name, err)
	}
	trust := ReplicationTrustPolicy()
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
		Tags:             pulumi.ToStringMap(args.Tags),
	}, parent, pulumi.IgnoreChanges([]string{"name", "path"}))
	if err != nil {
		return nil, fmt.Errorf("creating replication role: %w", err)
	}
	wantArn := arnsFor(args.Region).role(args.AccountID, args.Archive.RolePath, args.Archive.RoleName)
	roleArn := role.Arn.ApplyT(func(arn string) (string, error) {
		return arn, CheckRoleIdentity(arn, wantArn)
	}).(pulumi.StringOutput)
	roleName := pulumi.All(roleArn, role.Name).ApplyT(func(v []any) string { return v[1].(string) }).(pulumi.StringOutput)

	// The log buckets come first: the role policy names their keys, whose ARNs AWS assigns.
	logKeys := pulumi.StringArray{}
	for _, b := range args.LogBuckets {
		lb, err := NewSourceLogBucket(ctx, name+"-"+b.Name, args.LogBucketArgs(b), parent)
		if err != nil {
			return nil, err
		}
		c.LogBuckets = append(c.LogBuckets, lb)
		logKeys = append(logKeys, lb.KeyArn)
	}
	policyJSON := logKeys.ToStringArrayOutput().ApplyT(func(keys []string) (string, error) {
		return ReplicationRolePolicy(args, keys).JSON()
	}).(pulumi.StringOutput)
	rolePolicy, err := iam.NewRolePolicy(ctx, name+"-role-policy", &iam.RolePolicyArgs{
		Name:   pulumi.String("replicate-into-log-archive"),
		Role:   roleName,
		Policy: policyJSON,
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating replication role policy: %w", err)
	}

	for _, b := range args.Buckets {
		// R4.1. Retained on delete: destroying this stack must never suspend versioning on a bucket the
		// user owns and that may still hold the only copy of a log.
		versioning, err := s3.NewBucketVersioningV2(ctx, name+"-"+b.Name+"-versioning", &s3.BucketVersioningV2Args{
			Bucket:                  pulumi.String(b.Name),
			ExpectedBucketOwner:     pulumi.String(args.AccountID),
			VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
		}, parent, pulumi.RetainOnDelete(true))
		if err != nil {
			return nil, fmt.Errorf("enabling versioning on %s: %w", b.Name, err)
		}
		// Replication starts the moment the configuration exists and S3 never retries a FAILED object
		// (R5.9), so it waits for versioning and for the role's permissions.
		if _, err := s3.NewBucketReplicationConfig(ctx, name+"-"+b.Name+"-replication", &s3.BucketReplicationConfigArgs{
			Bucket: pulumi.String(b.Name),
			Role:   roleArn,
			Rules:  s3.BucketReplicationConfigRuleArray{replicationRule(args, b, 1)},
		}, parent, pulumi.DependsOn([]pulumi.Resource{versioning, rolePolicy})); err != nil {
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
		}, parent, pulumi.DependsOn([]pulumi.Resource{lb.versioning, rolePolicy})); err != nil {
			return nil, fmt.Errorf("configuring replication of %s: %w", b.Name, err)
		}
	}

	backfill, err := newBackfillRole(ctx, name, args, parent)
	if err != nil {
		return nil, err
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

// BackfillRolePath is the IAM path of the backfill role: fixed, because the archive does not pin this role,
// and a path that followed the archive's pinned one would replace it whenever that changes.
const BackfillRolePath = "/log-archive/"

// newBackfillRole is the role S3 Batch Replication jobs run as, for objects written before replication
// existed (R4.12) and FAILED ones, which S3 never retries (R5.9). Its name is Pulumi's (autonamed): the
// archive does not pin it, and a second stack in the account must not collide with it.
func newBackfillRole(ctx *pulumi.Context, name string, args *SourceReplicatorArgs, opts ...pulumi.ResourceOption) (*iam.Role, error) {
	trustJSON, err := BackfillTrustPolicy().JSON()
	if err != nil {
		return nil, err
	}
	policyJSON, err := BackfillRolePolicy(args).JSON()
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(ctx, name+"-backfill-role", &iam.RoleArgs{
		Path:             pulumi.String(BackfillRolePath),
		Description:      pulumi.Sprintf("S3 Batch Replication of existing and failed objects into the log archive s3://%s", args.Archive.BucketName),
		AssumeRolePolicy: pulumi.String(trustJSON),
		Tags:             pulumi.ToStringMap(args.Tags),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating backfill role: %w", err)
	}
	if _, err := iam.NewRolePolicy(ctx, name+"-backfill-role-policy", &iam.RolePolicyArgs{
		Name:   pulumi.String("initiate-batch-replication"),
		Role:   role.Name,
		Policy: pulumi.String(policyJSON),
	}, opts...); err != nil {
		return nil, fmt.Errorf("creating backfill role policy: %w", err)
	}
	return role, nil
}

// replicationRule is one V2 rule into the archive (R4.4-R4.9, R2.7).
func replicationRule(args *SourceReplicatorArgs, b SourceBucket, priority int) *s3.BucketReplicationConfigRuleArgs {
	archive := args.Archive
	deleteMarkers := "Disabled"
	if args.ReplicateDeleteMarkers {
		deleteMarkers = "Enabled"
	}
	dest := &s3.BucketReplicationConfigRuleDestinationArgs{
		Bucket:                   pulumi.String(BucketArn(archive.Region, archive.BucketName)),
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
		Id:                      pulumi.String("log-archive-" + archive.BucketName),
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
