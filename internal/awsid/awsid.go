// Package awsid holds the rules of the AWS identifiers this program takes from users or writes into
// policies: account IDs, bucket, role, trail and alias names, Regions and their partitions (from the AWS
// SDK's partition metadata, partitions.json), and the ARNs built from them. It is a leaf: it imports no
// other package of this module but internal/suggest.
package awsid

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"log-archive/internal/suggest"
)

// Validators for the AWS identifiers this program takes from users. Each returns an error that says what
// is wrong with the value; the config layer adds the key, the stack file and the fix.

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
	bucketPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)
	roleNamePattern  = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
	rolePathPattern  = regexp.MustCompile(`^/([\x21-\x7E]+/)?$`)
	aliasPattern     = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)
	tagPattern       = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`) // S3, KMS and IAM tags
	kmsKeyIDPattern  = regexp.MustCompile(`^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	detectorPattern  = regexp.MustCompile(`^[a-z0-9]{32}$`)
	trailNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$`)
	trailRunPattern  = regexp.MustCompile(`[._-]{2}`)
)

// ValidateAccountID accepts a 12-digit AWS account ID.
func ValidateAccountID(id string) error {
	if !accountIDPattern.MatchString(id) {
		return fmt.Errorf("%q is not a 12-digit AWS account ID", id)
	}
	return nil
}

// supportedPartitions are the partitions this program writes policies for; the isolated (ISO) and
// sovereign-cloud partitions use other service principals and endpoints, which it has not been checked for.
var supportedPartitions = []string{"aws", "aws-cn", "aws-us-gov"}

// ValidateRegion accepts a Region that exists, in a partition this program supports. The list of Regions is
// the AWS SDK's partition metadata (partitions.json), not a pattern: a Region that does not exist would
// pass the plan and fail in the provider.
func ValidateRegion(region string) error {
	p, ok := Lookup(region)
	if !ok {
		if !regionPattern.MatchString(region) {
			return fmt.Errorf("%q is not an AWS Region code like eu-west-1", region)
		}
		return fmt.Errorf("%q is not an AWS Region (none of %s); if AWS launched it after this program's AWS SDK, upgrade github.com/aws/aws-sdk-go-v2 and run go generate ./internal/awsid",
			region, nearRegions(region))
	}
	if !slices.Contains(supportedPartitions, p.ID) {
		return fmt.Errorf("%q is in the %s partition, which this program does not support (only %s)", region, p.ID, strings.Join(supportedPartitions, ", "))
	}
	return nil
}

// nearRegions lists the Regions that share the code's prefix (eu-west-9: eu-west-1, eu-west-2, eu-west-3),
// or the Regions of the partitions this program supports when none does.
func nearRegions(region string) string {
	prefix := region
	if i := strings.LastIndex(region, "-"); i > 0 {
		prefix = region[:i+1]
	}
	var near, all []string
	for _, p := range Partitions() {
		if !slices.Contains(supportedPartitions, p.ID) {
			continue
		}
		for _, r := range p.Regions {
			all = append(all, r)
			// The same area (eu-west-9: eu-west-1 ...), or a typo away (eu-centrall-1: eu-central-1).
			if strings.HasPrefix(r, prefix) || suggest.Near(region, r, 2) {
				near = append(near, r)
			}
		}
	}
	if len(near) == 0 {
		near = all
	}
	return strings.Join(near, ", ")
}

// enabledByDefault are the commercial Regions every account can use without opting in: those AWS
// introduced before 20 March 2019. Every later Region must be enabled by the account, which changes the
// principals some services use there (G1). The list cannot grow, so new Regions are opt-in by default.
// (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html)
var enabledByDefault = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
	"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
	"ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
}

// IsOptInRegion says whether a commercial Region must be enabled manually (G1). China and GovCloud Regions
// are not opt-in in this sense.
func IsOptInRegion(region string) bool {
	p, ok := Lookup(region)
	return ok && p.ID == "aws" && !slices.Contains(enabledByDefault, region)
}

// PartitionOf returns the ARN partition of a Region (aws, aws-cn, aws-us-gov).
func PartitionOf(region string) (string, error) {
	if err := ValidateRegion(region); err != nil {
		return "", err
	}
	p, _ := Lookup(region)
	return p.ID, nil
}

// DifferentPartitions returns the partitions of two valid Regions and whether they differ. Nothing crosses
// a partition: neither replication nor a service's log delivery.
func DifferentPartitions(r1, r2 string) (p1, p2 string, differ bool) {
	if ValidateRegion(r1) != nil || ValidateRegion(r2) != nil {
		return "", "", false
	}
	p1, _ = PartitionOf(r1)
	p2, _ = PartitionOf(r2)
	return p1, p2, p1 != p2
}

// S3ServiceEndpoint is the value S3 puts in kms:ViaService for a Region (R1.13, R3.4): its endpoint in the
// partition's DNS domain (amazonaws.com.cn in China).
func S3ServiceEndpoint(region string) string {
	suffix := "amazonaws.com"
	if p, ok := Lookup(region); ok {
		suffix = p.DNSSuffix
	}
	return "s3." + region + "." + suffix
}

// ValidateBucketName applies the S3 general purpose bucket naming rules.
func ValidateBucketName(name string) error {
	switch {
	case len(name) < 3 || len(name) > 63:
		return fmt.Errorf("%q is %d characters; S3 bucket names have 3 to 63", name, len(name))
	case !bucketPattern.MatchString(name):
		return fmt.Errorf("%q may hold only lowercase letters, digits, hyphens and dots, and must start and end with a letter or digit", name)
	case strings.Contains(name, ".."):
		return fmt.Errorf("%q has two adjacent dots", name)
	case strings.Contains(name, ".-") || strings.Contains(name, "-."):
		return fmt.Errorf("%q has a dot next to a hyphen", name)
	case isIPv4(name):
		return fmt.Errorf("%q is formatted as an IP address", name)
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("%q starts with the reserved prefix %q", name, p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return fmt.Errorf("%q ends with the reserved suffix %q", name, s)
		}
	}
	return nil
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// ValidateRoleName accepts an IAM role name.
func ValidateRoleName(name string) error {
	if !roleNamePattern.MatchString(name) {
		return fmt.Errorf("%q is not an IAM role name (1-64 characters of letters, digits and +=,.@_-)", name)
	}
	return nil
}

// ValidateRolePath accepts an IAM path: "/" or "/segments/" of printable ASCII, at most 512 characters
// (IAM's pattern), with no empty segment, and without * or ?: the archive pins the role with an ArnLike
// condition on aws:PrincipalArn (R2.4), where those two are wildcards, so a path holding one would admit
// roles the archive never meant to.
func ValidateRolePath(path string) error {
	switch {
	case len(path) > 512 || !rolePathPattern.MatchString(path):
		return fmt.Errorf("%q is not an IAM path; it must begin and end with \"/\", like \"/log-archive/\", with printable characters and no spaces between", path)
	case strings.Contains(path, "//"):
		return fmt.Errorf("%q has an empty segment (\"//\"); write each segment once, like \"/log-archive/\"", path)
	case strings.ContainsAny(path, "*?"):
		return fmt.Errorf("%q holds * or ?, which are wildcards in the archive's aws:PrincipalArn pin and would admit other roles", path)
	}
	return nil
}

// ValidateKeyAlias accepts a KMS alias name outside the reserved alias/aws/ namespace.
func ValidateKeyAlias(alias string) error {
	if !aliasPattern.MatchString(alias) {
		return fmt.Errorf("%q is not a KMS alias name (alias/ followed by letters, digits, /, _ or -)", alias)
	}
	if strings.HasPrefix(alias, "alias/aws/") {
		return fmt.Errorf("%q is in the alias/aws/ namespace, which AWS reserves for AWS managed keys", alias)
	}
	return nil
}

// ValidateKMSKeyArn accepts only a full KMS key ARN (not an alias, not a bare key ID) in the given account
// and Region. IAM policies and ReplicaKmsKeyID must name the key itself (R1.13, R4.9).
func ValidateKMSKeyArn(s, account, region string) error {
	a, err := arn.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not an ARN; use the full key ARN, arn:aws:kms:<region>:<account>:key/<key-id>", s)
	}
	if a.Service != "kms" || !strings.HasPrefix(a.Resource, "key/") {
		return fmt.Errorf("%q is not a KMS key ARN; aliases and other resources cannot be used, name the key itself (arn:aws:kms:<region>:<account>:key/<key-id>)", s)
	}
	if !kmsKeyIDPattern.MatchString(strings.TrimPrefix(a.Resource, "key/")) {
		return fmt.Errorf("%q does not end in a KMS key ID (a UUID or mrk-...)", s)
	}
	if want, _ := PartitionOf(region); a.Partition != want {
		return fmt.Errorf("%q is in partition %q, not %q", s, a.Partition, want)
	}
	if a.AccountID != account {
		return fmt.Errorf("%q belongs to account %s, not %s", s, a.AccountID, account)
	}
	if a.Region != region {
		return fmt.Errorf("%q is in Region %s, not %s", s, a.Region, region)
	}
	return nil
}

// ValidatePrincipalArn accepts an IAM role or user ARN, or an account root ARN, that a key policy in region
// can name: in the Region's partition, and without wildcards, which KMS rejects in a principal (R3.3).
func ValidatePrincipalArn(s, region string) error {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" || a.Region != "" || ValidateAccountID(a.AccountID) != nil ||
		!(strings.HasPrefix(a.Resource, "role/") || strings.HasPrefix(a.Resource, "user/") || a.Resource == "root") {
		return fmt.Errorf("%q is not an IAM role, user or account root ARN (arn:aws:iam::<account>:role/<name>)", s)
	}
	if strings.ContainsAny(s, "*?") {
		return fmt.Errorf("%q holds a wildcard; a key policy principal names one role or user exactly", s)
	}
	if want, err := PartitionOf(region); err == nil && a.Partition != want {
		return fmt.Errorf("%q is in partition %s, but the key is in %s (partition %s); a principal of another partition cannot use it", s, a.Partition, region, want)
	}
	return nil
}

// ValidateGuardDutyDetectorID accepts a GuardDuty detector ID: 32 lowercase letters and digits, as
// `aws guardduty list-detectors` prints it (G1).
func ValidateGuardDutyDetectorID(id string) error {
	if strings.HasPrefix(id, "arn:") {
		return fmt.Errorf("%q is an ARN; give the detector ID alone, the part after detector/", id)
	}
	if !detectorPattern.MatchString(id) {
		return fmt.Errorf("%q is not a GuardDuty detector ID (32 lowercase letters and digits, from `aws guardduty list-detectors`)", id)
	}
	return nil
}

// ValidateTrailName applies CloudTrail's trail naming rules: 3-128 letters, digits, periods, underscores and
// dashes, starting and ending with a letter or digit, no two of . _ - in a row, not an IP address (C1).
func ValidateTrailName(name string) error {
	switch {
	case strings.HasPrefix(name, "arn:"):
		return fmt.Errorf("%q is an ARN; give the trail name alone, the part after trail/", name)
	case !trailNamePattern.MatchString(name):
		return fmt.Errorf("%q is not a CloudTrail trail name (3-128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit)", name)
	case trailRunPattern.MatchString(name):
		return fmt.Errorf("%q has two periods, underscores or dashes in a row, which CloudTrail does not allow", name)
	case isIPv4(name):
		return fmt.Errorf("%q is formatted as an IP address", name)
	}
	return nil
}

// MaxPrefixLength is the longest key prefix a replication filter takes (the S3 object key limit).
const MaxPrefixLength = 1024

// ValidateReplicationPrefix refuses a replication filter prefix that can never match what a log service
// writes into bucket: S3 compares prefixes literally, so a glob, a URI, a leading slash or the bucket's own
// name in front matches no key, and nothing replicates with nothing to say why.
func ValidateReplicationPrefix(bucket, prefix string) error {
	switch {
	case len(prefix) > MaxPrefixLength:
		return fmt.Errorf("has %d characters; S3 allows %d", len(prefix), MaxPrefixLength)
	case strings.HasPrefix(prefix, "s3://") || strings.HasPrefix(prefix, "arn:"):
		return fmt.Errorf("%q is a URI or an ARN; a prefix is the start of the object keys, like AWSLogs/", prefix)
	case strings.ContainsAny(prefix, "*?"):
		return fmt.Errorf("%q holds a wildcard; S3 prefixes are literal, so it matches only keys that hold that very character", prefix)
	case strings.HasPrefix(prefix, "/"):
		return fmt.Errorf("%q starts with /; the keys the log services write never do (AWSLogs/..., not /AWSLogs/...)", prefix)
	case bucket != "" && strings.HasPrefix(prefix, bucket+"/"):
		return fmt.Errorf("%q starts with the bucket's own name; object keys do not include it", prefix)
	}
	return nil
}

// ReplicaStorageClasses are the destination storage classes a replication rule accepts (R4.13).
var ReplicaStorageClasses = []string{
	"STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE",
}

// ValidateReplicaStorageClass accepts "" (keep the source object's class) or one of ReplicaStorageClasses.
func ValidateReplicaStorageClass(class string) error {
	if class == "" || slices.Contains(ReplicaStorageClasses, class) {
		return nil
	}
	return fmt.Errorf("%q is not a storage class replication accepts (%s)", class, strings.Join(ReplicaStorageClasses, ", "))
}

// ValidateTags applies the AWS tag rules shared by S3, KMS and IAM.
func ValidateTags(tags map[string]string) error {
	if len(tags) > 40 {
		return fmt.Errorf("%d tags given; keep at most 40 so every resource (S3 allows 50, with room for AWS's own) accepts them", len(tags))
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := tags[k]
		switch {
		case k == "" || utf8.RuneCountInString(k) > 128:
			return fmt.Errorf("tag key %q must have 1 to 128 characters", k)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return fmt.Errorf("tag key %q uses the reserved aws: prefix", k)
		case !tagPattern.MatchString(k):
			return fmt.Errorf("tag key %q has a character AWS does not accept (letters, digits, spaces and _ . : / = + - @)", k)
		case utf8.RuneCountInString(v) > 256:
			return fmt.Errorf("tag %q has a value of %d characters; the limit is 256", k, utf8.RuneCountInString(v))
		case !tagPattern.MatchString(v):
			return fmt.Errorf("tag %q has a value with a character AWS does not accept (letters, digits, spaces and _ . : / = + - @)", k)
		}
	}
	return nil
}
