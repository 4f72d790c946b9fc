package components

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/internal/awsid"
	"log-archive/internal/fielderr"
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
	var l fielderr.List
	o.validate(&l)
	return l.Err()
}

func (o *SourceOrganization) validate(l *fielderr.List) {
	if o.ID == "" {
		l.Add("ID", "", "this field is required",
			"set {ID} to your organization's ID, o- and 10 or more characters (`aws organizations describe-organization --query Organization.Id`)")
	} else {
		l.Check("ID", o.ID, awsid.ValidateOrganizationID(o.ID), "copy the ID from `aws organizations describe-organization --query Organization.Id`")
	}
	for i, p := range o.Paths {
		field := fmt.Sprintf("Paths[%d]", i)
		if !l.Check(field, p, awsid.ValidateOrganizationPath(o.ID, p),
			"write the OU's full path from the organization root, ending in /: <org id>/<root id>/<ou id>/ ... e.g. "+
				"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ (the console shows the IDs; each path admits its OU and the OUs below it)") {
			continue
		}
		if slices.Index(o.Paths, p) != i {
			l.Add(field, fielderr.Quote(p), "is listed twice", "remove the duplicate")
		}
	}
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

// validate checks the mode and the days S3 accepts.
func (ol *ObjectLockRetention) validate(l *fielderr.List) {
	if !slices.Contains(ObjectLockModes, ol.Mode) {
		l.Add("Mode", fielderr.Quote(ol.Mode), "is not an Object Lock mode",
			"use GOVERNANCE (users with s3:BypassGovernanceRetention can shorten it) or COMPLIANCE (nobody can, not even root) (H3)")
	}
	switch fix := "set the default retention in days, from 1 to 36500, e.g. 365"; {
	case ol.Days < 1:
		l.Add("Days", fmt.Sprint(ol.Days), "is not a positive number of days", fix)
	case ol.Days > 36500:
		l.Add("Days", fmt.Sprint(ol.Days), "is more than the 36500 days S3 accepts", fix)
	}
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
	if err := args.ValidateFields(); err != nil {
		return err
	}
	return CheckArchivePolicySizes(args)
}

// ValidateFields checks every argument, each problem with its field, its value and the fix.
func (args *DestinationArchiveArgs) ValidateFields() error {
	var l fielderr.List
	l.Check("AccountID", args.AccountID, awsid.ValidateAccountID(args.AccountID), `write the archive account's 12-digit ID in quotes, e.g. "111111111111"`)
	l.Check("Region", args.Region, awsid.ValidateRegion(args.Region), "use a Region code such as eu-west-1 or us-east-2")
	l.Check("BucketName", args.BucketName, awsid.ValidateBucketName(args.BucketName),
		"choose a name of 3-63 lowercase letters, digits and hyphens that starts and ends with a letter or digit, e.g. acme-log-archive-eu-west-1")
	l.Check("ReplicationRoleName", args.ReplicationRoleName, awsid.ValidateRoleName(args.ReplicationRoleName), "use 1-64 letters, digits or +=,.@_-")
	l.Check("ReplicationRolePath", args.ReplicationRolePath, awsid.ValidateRolePath(args.ReplicationRolePath), `use "/" or a path like "/log-archive/"`)
	l.Check("KeyAlias", args.KeyAlias, awsid.ValidateKeyAlias(args.KeyAlias), "use a name like alias/log-archive")
	validateTags(&l, args.Tags)
	seen := map[string]int{}
	for i, id := range args.SourceAccountIDs {
		field := fmt.Sprintf("SourceAccountIDs[%d]", i)
		if !l.Check(field, id, awsid.ValidateAccountID(id), `write each source account's 12-digit ID in quotes, e.g. "222222222222"`) {
			continue
		}
		if id == args.AccountID {
			l.Add(field, fielderr.Quote(id), "is the archive account itself",
				"remove it: the archive account does not replicate into itself (it needs no cross-account grant); list only the source accounts")
		}
		if j, dup := seen[id]; dup {
			l.Add(field, fielderr.Quote(id), fmt.Sprintf("is listed twice (also at [%d])", j), "remove the duplicate")
		}
		seen[id] = i
	}
	if org := args.SourceOrganization; org != nil {
		org.validate(l.Nest("SourceOrganization"))
	}
	fix := "write accountCondition (the default: \"*\" with aws:PrincipalAccount) or accountPrincipals (each listed account's root " +
		"as the principal, the fallback of docs/public-access.md)"
	if args.SourceOrganization != nil && args.SourcePrincipals == SourceAccountsAsPrincipals {
		fix = "remove {SourcePrincipals}, or remove {SourceOrganization} and list every source account in " +
			"{SourceAccountIDs}. If IAM Access Analyzer objects to the organization's grant, see docs/public-access.md"
	}
	l.Check("SourcePrincipals", string(args.SourcePrincipals), ValidateSourcePrincipals(args.SourcePrincipals, args.SourceOrganization), fix)
	for i, p := range args.KeyAdministratorArns {
		l.Check(fmt.Sprintf("KeyAdministratorArns[%d]", i), p, awsid.ValidatePrincipalArn(p, args.Region),
			"name one existing IAM role or user of the archive's partition exactly, e.g. arn:aws:iam::111111111111:role/SecurityAdmin (KMS rejects principals that do not exist or hold wildcards, R3.3)")
	}
	if ol := args.ObjectLock; ol != nil {
		ol.validate(l.Nest("ObjectLock"))
	}
	if lc := args.Lifecycle; lc != nil {
		lc.validate(l.Nest("Lifecycle"))
	}
	return l.Err()
}

// validateTags checks the tags every component puts on its resources.
func validateTags(l *fielderr.List, tags map[string]string) {
	if err := awsid.ValidateTags(tags); err != nil {
		shown, _ := json.Marshal(tags)
		l.Add("Tags", string(shown), err.Error(),
			"keep at most 40 tags, keys of 1-128 characters not starting with aws:, values of at most 256, using letters, digits, spaces and _ . : / = + - @")
	}
}

// validate checks a lifecycle's days and storage class.
func (lc *NoncurrentVersionLifecycle) validate(l *fielderr.List) {
	fix := "give positive days, a storage class among " + strings.Join(LifecycleStorageClasses, ", ") +
		" with the transition, and an expiration later than the transition"
	days := func(d int) string { return fmt.Sprint(d) }
	switch {
	case lc.TransitionDays == 0 && lc.ExpirationDays == 0:
		l.Add("", "", "sets neither a noncurrent-version transition nor an expiration", "set a transition, an expiration, or both: "+fix)
	case lc.TransitionDays < 0:
		l.Add("TransitionDays", days(lc.TransitionDays), "is not a positive number of days", fix)
	case lc.ExpirationDays < 0:
		l.Add("ExpirationDays", days(lc.ExpirationDays), "is not a positive number of days", fix)
	case lc.TransitionDays > 0 && !slices.Contains(LifecycleStorageClasses, lc.TransitionStorageClass):
		l.Add("TransitionStorageClass", fielderr.Quote(lc.TransitionStorageClass), "is not a storage class a noncurrent-version transition accepts", fix)
	case lc.TransitionDays > 0 && (lc.TransitionStorageClass == "STANDARD_IA" || lc.TransitionStorageClass == "ONEZONE_IA") && lc.TransitionDays < 30:
		l.Add("TransitionDays", days(lc.TransitionDays), "is too early: S3 moves noncurrent versions to "+lc.TransitionStorageClass+" after 30 days at the earliest", fix)
	case lc.TransitionDays > 0 && lc.ExpirationDays > 0 && lc.ExpirationDays <= lc.TransitionDays:
		l.Add("ExpirationDays", days(lc.ExpirationDays), fmt.Sprintf("must come later than the transition after %d days", lc.TransitionDays), fix)
	case lc.TransitionDays == 0 && lc.TransitionStorageClass != "":
		l.Add("TransitionStorageClass", fielderr.Quote(lc.TransitionStorageClass), "is set without transition days", fix)
	}
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
