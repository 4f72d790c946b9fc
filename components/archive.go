package components

import (
	"errors"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/internal/awsid"
	"log-archive/internal/policy"
)

// DestinationArchiveType is the component's type token.
const DestinationArchiveType = "log-archive:index:DestinationArchive"

// DestinationArchiveArgs describes the archive. Fields are plain values, not pulumi.Inputs: every policy is
// rendered and measured against its AWS limit before anything is registered, so a bad archive is refused
// whole instead of half-created.
type DestinationArchiveArgs struct {
	AccountID  string // the archive account
	Region     string // the archive Region; the key and the bucket live here (R3.1)
	BucketName string

	// SourceAccountIDs may replicate into the archive. Empty is valid: an archive with no sources yet.
	SourceAccountIDs []string
	// SourceOrganization, beside or instead of the list, admits every account of an AWS Organization, or of
	// some of its OUs (R2.12). nil: listed accounts only.
	SourceOrganization *SourceOrganization
	// SourcePrincipals is how both policies name the listed accounts: "" or SourceAccountsInCondition (the
	// default), or SourceAccountsAsPrincipals, the fallback when Access Analyzer judges the default public
	// (R2.13). Not with SourceOrganization.
	SourcePrincipals SourcePrincipalMode

	// The replication role every source account creates; the archive pins it by path and name (R2.4).
	ReplicationRoleName string
	ReplicationRolePath string

	KeyAlias             string   // alias/... for the archive key
	KeyAdministratorArns []string // optional IAM principals that manage (never delete) the key

	ObjectLock *ObjectLockRetention        // nil: no Object Lock
	Lifecycle  *NoncurrentVersionLifecycle // nil: keep every version forever
	Tags       map[string]string
}

// SourceOrganization is an AWS Organization whose member accounts may replicate into the archive.
type SourceOrganization struct {
	ID    string   // o-...
	Paths []string // OU paths, o-.../r-.../ou-.../ (with the trailing slash); empty: the whole organization
}

// Validate checks the organization ID and that each path is an OU path of that organization, as
// aws:PrincipalOrgPaths holds it (R2.12).
func (o *SourceOrganization) Validate() error {
	var errs fieldErrors
	errs.add("ID", awsid.ValidateOrganizationID(o.ID))
	for i, p := range o.Paths {
		field := fmt.Sprintf("Paths[%d]", i)
		if err := awsid.ValidateOrganizationPath(o.ID, p); err != nil {
			errs.add(field, err)
		} else if slices.Index(o.Paths, p) != i {
			errs.add(field, fmt.Errorf("%q is listed twice", p))
		}
	}
	return errors.Join(errs...)
}

// SourcePrincipalMode is how the archive's bucket and key policies name the listed source accounts.
type SourcePrincipalMode string

const (
	// SourceAccountsInCondition grants to Principal "*" with aws:PrincipalAccount / kms:CallerAccount equal
	// to the list: 15 bytes an account, and an account that does not exist fails nothing (R2.11). Whether
	// S3 Block Public Access accepts it is inferred, not documented (R2.13).
	SourceAccountsInCondition SourcePrincipalMode = "accountCondition"
	// SourceAccountsAsPrincipals names each account's root ARN as the principal: never public (R2.10), but
	// 33 bytes an account, and one closed or mistyped account fails the whole update (R2.11).
	SourceAccountsAsPrincipals SourcePrincipalMode = "accountPrincipals"
)

// SourcePrincipalModes are the modes, the default first.
var SourcePrincipalModes = []SourcePrincipalMode{SourceAccountsInCondition, SourceAccountsAsPrincipals}

// ValidateSourcePrincipals accepts a mode, and refuses account principals beside an organization: that
// grant is to "*" whatever the mode, so the fallback would not remove it, and aws:PrincipalOrgID is the key
// AWS's own list names (R2.10, R2.13).
func ValidateSourcePrincipals(mode SourcePrincipalMode, org *SourceOrganization) error {
	switch {
	case mode != "" && !slices.Contains(SourcePrincipalModes, mode):
		return fmt.Errorf("%q is not %s or %s", mode, SourceAccountsInCondition, SourceAccountsAsPrincipals)
	case mode == SourceAccountsAsPrincipals && org != nil:
		return fmt.Errorf("%s cannot be combined with a source organization: the organization's grant is to \"*\" with "+
			"aws:PrincipalOrgID in either mode, the condition key AWS's list of non-public keys names (R2.10, R2.13)", mode)
	}
	return nil
}

// ObjectLockRetention is the bucket's default retention (H3).
type ObjectLockRetention struct {
	Mode string // GOVERNANCE or COMPLIANCE
	Days int
}

// NoncurrentVersionLifecycle manages versions that were overwritten or hidden by a delete marker (H5).
// Current versions are never expired by this program.
type NoncurrentVersionLifecycle struct {
	TransitionDays         int    // 0: no transition
	TransitionStorageClass string // required with TransitionDays
	ExpirationDays         int    // 0: never expire
}

// ObjectLockModes are the retention modes S3 accepts.
var ObjectLockModes = []string{"GOVERNANCE", "COMPLIANCE"}

// Validate checks the mode and the days S3 accepts.
func (ol *ObjectLockRetention) Validate() error {
	var errs fieldErrors
	if !slices.Contains(ObjectLockModes, ol.Mode) {
		errs.add("Mode", fmt.Errorf("%q is not GOVERNANCE or COMPLIANCE", ol.Mode))
	}
	if ol.Days < 1 || ol.Days > 36500 {
		errs.add("Days", fmt.Errorf("%d is not between 1 and 36500", ol.Days))
	}
	return errors.Join(errs...)
}

// LifecycleStorageClasses are the classes a noncurrent-version transition accepts.
var LifecycleStorageClasses = []string{"STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"}

// DestinationArchive is the archive account's bucket and key.
type DestinationArchive struct {
	pulumi.ResourceState

	BucketName pulumi.StringOutput `pulumi:"bucketName"`
	BucketArn  pulumi.StringOutput `pulumi:"bucketArn"`
	KeyArn     pulumi.StringOutput `pulumi:"keyArn"`
	KeyAlias   pulumi.StringOutput `pulumi:"keyAlias"`

	// The documents as sent to AWS, for callers that report on them.
	BucketPolicy policy.Document
	KeyPolicy    policy.Document
}

// Validate checks the arguments and that both policies fit their AWS limits.
func (args *DestinationArchiveArgs) Validate() error {
	var errs fieldErrors
	check := errs.add
	check("AccountID", awsid.ValidateAccountID(args.AccountID))
	check("Region", awsid.ValidateRegion(args.Region))
	check("BucketName", awsid.ValidateBucketName(args.BucketName))
	check("ReplicationRoleName", awsid.ValidateRoleName(args.ReplicationRoleName))
	check("ReplicationRolePath", awsid.ValidateRolePath(args.ReplicationRolePath))
	check("KeyAlias", awsid.ValidateKeyAlias(args.KeyAlias))
	check("Tags", awsid.ValidateTags(args.Tags))
	seen := map[string]bool{}
	for i, id := range args.SourceAccountIDs {
		field := fmt.Sprintf("SourceAccountIDs[%d]", i)
		check(field, awsid.ValidateAccountID(id))
		if id == args.AccountID {
			check(field, fmt.Errorf("%s is the archive account itself; replication into the same account needs no cross-account grant", id))
		}
		if seen[id] {
			check(field, fmt.Errorf("%s is listed twice", id))
		}
		seen[id] = true
	}
	if org := args.SourceOrganization; org != nil {
		check("SourceOrganization", org.Validate())
	}
	check("SourcePrincipals", ValidateSourcePrincipals(args.SourcePrincipals, args.SourceOrganization))
	for i, p := range args.KeyAdministratorArns {
		check(fmt.Sprintf("KeyAdministratorArns[%d]", i), awsid.ValidatePrincipalArn(p, args.Region))
	}
	if ol := args.ObjectLock; ol != nil {
		check("ObjectLock", ol.Validate())
	}
	if lc := args.Lifecycle; lc != nil {
		check("Lifecycle", lc.Validate())
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	errs = append(errs, CheckArchivePolicySizes(args))
	return errors.Join(errs...)
}

// Validate checks a lifecycle's days and storage class.
func (lc *NoncurrentVersionLifecycle) Validate() error {
	if lc.TransitionDays == 0 && lc.ExpirationDays == 0 {
		return errors.New("set a noncurrent-version transition, an expiration, or both")
	}
	if lc.TransitionDays < 0 || lc.ExpirationDays < 0 {
		return errors.New("days must be positive")
	}
	if lc.TransitionDays > 0 {
		if !slices.Contains(LifecycleStorageClasses, lc.TransitionStorageClass) {
			return fmt.Errorf("transition storage class %q is not one of %v", lc.TransitionStorageClass, LifecycleStorageClasses)
		}
		if (lc.TransitionStorageClass == "STANDARD_IA" || lc.TransitionStorageClass == "ONEZONE_IA") && lc.TransitionDays < 30 {
			return fmt.Errorf("S3 moves noncurrent versions to %s after 30 days at the earliest, not %d", lc.TransitionStorageClass, lc.TransitionDays)
		}
		if lc.ExpirationDays > 0 && lc.ExpirationDays <= lc.TransitionDays {
			return fmt.Errorf("expiration after %d days must come later than the transition after %d days", lc.ExpirationDays, lc.TransitionDays)
		}
	} else if lc.TransitionStorageClass != "" {
		return fmt.Errorf("transition storage class %q is set without transition days", lc.TransitionStorageClass)
	}
	return nil
}

// NewDestinationArchive creates the archive key, bucket and policies. Every resource it creates is
// protected and retained on delete: a mistaken `pulumi destroy` would otherwise delete the policies, the
// encryption and the public access block first (the engine deletes dependents before it reaches a
// protected resource), which ends replication from every source and leaves the archive open.
func NewDestinationArchive(ctx *pulumi.Context, name string, args *DestinationArchiveArgs, opts ...pulumi.ResourceOption) (*DestinationArchive, error) {
	if args == nil {
		return nil, errors.New("DestinationArchive: args are required")
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("DestinationArchive %q: %w", name, err)
	}
	bucketPolicy, keyPolicy := archiveBucketPolicy(args), archiveKeyPolicy(args)
	bucketPolicyJSON, err := bucketPolicy.JSON()
	if err != nil {
		return nil, err
	}
	keyPolicyJSON, err := keyPolicy.JSON()
	if err != nil {
		return nil, err
	}

	c := &DestinationArchive{BucketPolicy: bucketPolicy, KeyPolicy: keyPolicy}
	if err := ctx.RegisterComponentResource(DestinationArchiveType, name, c, opts...); err != nil {
		return nil, fmt.Errorf("registering DestinationArchive %q: %w", name, err)
	}
	keep := []pulumi.ResourceOption{pulumi.Parent(c), pulumi.Protect(true), pulumi.RetainOnDelete(true)}
	tags := pulumi.ToStringMap(args.Tags)
	owner := pulumi.String(args.AccountID)

	// S3 cannot rename a bucket, and a replacement of the protected archive bucket is refused; but the
	// engine would apply the other changes of that update first, among them a key policy naming the new
	// bucket's encryption context, which stops every replica from being encrypted into the real one. So
	// the bucket keeps the name it was created with (IgnoreChanges), and the key's and the bucket
	// policy's inputs wait for nameChecked, which fails when the stack file names another bucket.
	bucket, err := newBucket(ctx, name, args.BucketName, args.ObjectLock != nil, tags,
		append(keep, pulumi.IgnoreChanges([]string{"bucket"}))...)
	if err != nil {
		return nil, err
	}
	nameChecked := bucket.Bucket.ApplyT(func(existing string) (string, error) {
		if existing != args.BucketName {
			return "", &BucketRenameError{Existing: existing, Configured: args.BucketName}
		}
		return existing, nil
	}).(pulumi.StringOutput)
	gated := func(s string) pulumi.StringOutput {
		return nameChecked.ApplyT(func(string) string { return s }).(pulumi.StringOutput)
	}

	key, err := newCustomerManagedKey(ctx, name, gated("log-archive: encrypts every object in s3://"+args.BucketName),
		gated(keyPolicyJSON), tags, keep...)
	if err != nil {
		return nil, err
	}
	alias, err := kms.NewAlias(ctx, name+"-key-alias", &kms.AliasArgs{
		Name:        pulumi.String(args.KeyAlias),
		TargetKeyId: key.KeyId,
	}, keep...)
	if err != nil {
		return nil, fmt.Errorf("creating archive key alias: %w", err)
	}

	// R2.6: the archive owns every replica and ACLs are off.
	controls, err := newPrivateBucketControls(ctx, name, bucket, keep...)
	if err != nil {
		return nil, err
	}
	// R4.1: replication needs the destination versioned before the sources configure it.
	versioning, err := newBucketVersioning(ctx, name, bucket, owner, keep...)
	if err != nil {
		return nil, err
	}
	if err := newDefaultKMSEncryption(ctx, name, bucket, owner, key, keep...); err != nil {
		return nil, err
	}
	// H3: once enabled, Object Lock cannot be turned off. Dropping the option from the stack file would
	// delete this resource, which protect refuses: the retention stays.
	if ol := args.ObjectLock; ol != nil {
		if err := newObjectLockRetention(ctx, name, bucket, owner, ol, versioning, keep...); err != nil {
			return nil, err
		}
	}
	// Always present, so that dropping log-archive:lifecycle updates this protected resource in place (its
	// noncurrent-version rule goes) instead of deleting it, which protect would refuse.
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name+"-lifecycle", archiveLifecycle(bucket, owner, args.Lifecycle),
		append(keep, pulumi.DependsOn([]pulumi.Resource{versioning}))...); err != nil {
		return nil, fmt.Errorf("creating archive lifecycle: %w", err)
	}
	if err := newBucketPolicy(ctx, name, bucket, gated(bucketPolicyJSON), controls, keep...); err != nil {
		return nil, err
	}

	c.BucketName = bucket.Bucket
	c.BucketArn = bucket.Arn
	c.KeyArn = key.Arn
	c.KeyAlias = alias.Name
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"bucketName": c.BucketName,
		"bucketArn":  c.BucketArn,
		"keyArn":     c.KeyArn,
		"keyAlias":   c.KeyAlias,
	}); err != nil {
		return nil, fmt.Errorf("registering DestinationArchive outputs: %w", err)
	}
	return c, nil
}

// archiveLifecycle always removes delete markers left with no versions and aborts stale multipart uploads;
// with lc it also moves or expires noncurrent versions (H5). Current versions are never touched.
func archiveLifecycle(bucket *s3.BucketV2, owner pulumi.StringInput, lc *NoncurrentVersionLifecycle) *s3.BucketLifecycleConfigurationV2Args {
	rules := s3.BucketLifecycleConfigurationV2RuleArray{&s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:     pulumi.String("housekeeping"),
		Status: pulumi.String("Enabled"),
		Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
		Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{
			ExpiredObjectDeleteMarker: pulumi.Bool(true),
		},
		AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
			DaysAfterInitiation: pulumi.Int(7),
		},
	}}
	if lc != nil {
		rule := &s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("noncurrent-versions"),
			Status: pulumi.String("Enabled"),
			Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
		}
		if lc.TransitionDays > 0 {
			rule.NoncurrentVersionTransitions = s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionTransitionArray{
				&s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionTransitionArgs{
					NoncurrentDays: pulumi.Int(lc.TransitionDays),
					StorageClass:   pulumi.String(lc.TransitionStorageClass),
				},
			}
		}
		if lc.ExpirationDays > 0 {
			rule.NoncurrentVersionExpiration = &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(lc.ExpirationDays),
			}
		}
		rules = append(rules, rule)
	}
	return &s3.BucketLifecycleConfigurationV2Args{
		Bucket:              bucket.ID(),
		ExpectedBucketOwner: owner,
		Rules:               rules,
	}
}

// BucketRenameError is an archive whose stack file names another bucket than the one it has.
type BucketRenameError struct{ Existing, Configured string }

func (e *BucketRenameError) Error() string {
	return fmt.Sprintf("the archive bucket is %s, but log-archive:archiveBucketName says %s. S3 cannot rename a bucket and the "+
		"archive's bucket is protected, so nothing was changed. Fix: set log-archive:archiveBucketName back to %s; a new "+
		"archive bucket is a new destination stack", e.Existing, e.Configured, e.Existing)
}
