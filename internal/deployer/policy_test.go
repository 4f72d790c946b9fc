package deployer

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/catalog"
	"log-archive/internal/plan"
	"log-archive/internal/policy"
	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

// fixture is one fixture stack planned, with its generated policy.
type fixture struct {
	stack  plan.Stack
	plan   *plan.Plan
	result *Result
}

var fixtureStacks = []string{"destination", "source"}

func planFixture(t *testing.T, name string) fixture {
	t.Helper()
	dir := testfixture.ProjectWithExtras(t)
	stack, err := plan.LoadStack(dir, name)
	require.NoError(t, err)
	p, err := plan.PlanStack(dir, name, program.Program)
	require.NoError(t, err)
	res, err := Generate(stack, p)
	require.NoError(t, err)
	return fixture{stack: stack, plan: p, result: res}
}

// TestEveryPlannedTypeHasAnEntry fails as soon as the program registers a resource type the table lacks:
// its deployer would otherwise lack the permissions, or hold them unreviewed.
func TestEveryPlannedTypeHasAnEntry(t *testing.T) {
	for _, name := range fixtureStacks {
		t.Run(name, func(t *testing.T) {
			f := planFixture(t, name)
			steps := managed(f.plan)
			require.NotEmpty(t, steps)
			for _, s := range steps {
				info, ok := catalog.Of(catalog.Type(s.NewState.Type))
				if assert.True(t, ok, "%s (%s) has no catalogue entry", s.NewState.Type, s.Name()) &&
					assert.NotNil(t, info.Deployer, "%s has no deployer actions", s.NewState.Type) {
					assert.NotEmpty(t, info.Deployer.Grants, s.NewState.Type)
				}
			}
		})
	}
}

func TestGenerate_RefusesATypeTheTableLacks(t *testing.T) {
	f := planFixture(t, "source")
	p := &plan.Plan{Steps: append(slices.Clone(f.plan.Steps), plan.Step{Op: "create",
		URN:      "urn:pulumi:source::log-archive::aws:sqs/queue:Queue::alerts",
		NewState: plan.State{Type: "aws:sqs/queue:Queue", Custom: true, Inputs: map[string]any{}}})}
	_, err := Generate(f.stack, p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aws:sqs/queue:Queue (alerts) has no deployer actions in internal/catalog")
}

var actionForm = regexp.MustCompile(`^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$`)

// TestTable checks the deployer facet of every catalogue entry, including types the program does not
// register yet, and that this package builds every scope and condition the catalogue uses.
func TestTable(t *testing.T) {
	sid := regexp.MustCompile(`^[A-Za-z0-9]+$`)
	rules := map[string]catalog.Deployer{"provider": catalog.Provider, "access analyzer": AccessAnalyzer}
	for _, typ := range catalog.Types() {
		if info, _ := catalog.Of(typ); info.Deployer != nil {
			rules[string(typ)] = *info.Deployer
		}
	}
	for typ, rule := range rules {
		assert.Regexp(t, sid, rule.Sid, typ)
		assert.NotEmpty(t, rule.Source, "%s: say where the action lists come from", typ)
		for _, g := range rule.Grants {
			all := slices.Concat(g.Create, g.Read, g.Update, g.Delete)
			assert.NotEmpty(t, all, "%s grant %q has no actions", typ, g.Sid)
			for _, a := range all {
				assert.Regexp(t, actionForm, a, "%s: %s is not service:Action", typ, a)
			}
			assert.Regexp(t, regexp.MustCompile(`^[A-Za-z0-9]*$`), g.Sid, typ)
			assert.Contains(t, scopes, g.On, "%s grant %q: internal/deployer builds no ARNs for scope %q", typ, g.Sid, g.On)
			if g.If != catalog.NoCondition {
				assert.Contains(t, conditions, g.If, "%s grant %q: internal/deployer renders no condition %q", typ, g.Sid, g.If)
			}
		}
	}
}

func TestPolicy_ValidDocumentsWithinTheLimit(t *testing.T) {
	for _, name := range fixtureStacks {
		t.Run(name, func(t *testing.T) {
			f := planFixture(t, name)
			// The guards (guards.go) take about 1,100 characters: a source stack with a log bucket and
			// alarms needs two managed policies.
			require.LessOrEqual(t, len(f.result.Policies), 2, "the fixture stacks fit two managed policies")
			sids := map[string]bool{}
			for _, p := range f.result.Policies {
				raw, err := json.Marshal(p.Document)
				require.NoError(t, err)
				var doc map[string]any
				require.NoError(t, json.Unmarshal(raw, &doc))
				assert.Equal(t, "2012-10-17", doc["Version"])
				assert.LessOrEqual(t, p.Size, policy.ManagedPolicyLimit)
				assert.Equal(t, len(strings.Join(strings.Fields(string(raw)), "")), p.Size, "size is counted without whitespace")
				text, err := p.Document.JSON()
				require.NoError(t, err)
				assert.Equal(t, len(text), p.Size, "the size is that of the document as sent")
				back, err := policy.Parse(text)
				require.NoError(t, err, "the document is in internal/policy's grammar")
				assert.Equal(t, p.Document, back, "the document reads back unchanged")
				for _, st := range p.Document.Statement {
					assert.Regexp(t, `^[A-Za-z0-9]+$`, st.Sid)
					assert.False(t, sids[st.Sid], "Sid %s twice", st.Sid)
					sids[st.Sid] = true
					if st.Effect != "Allow" {
						assert.Equal(t, "Deny", st.Effect)
						assert.True(t, strings.HasPrefix(st.Sid, "Deny"), "only the guards deny: %s", st.Sid)
					}
					assert.NotEmpty(t, st.Action, st.Sid)
					assert.NotEmpty(t, st.Resource, st.Sid)
					for _, a := range st.Action {
						if st.Effect == "Deny" && a == "iam:*" {
							continue
						}
						assert.Regexp(t, actionForm, a, st.Sid)
					}
					for _, r := range st.Resource {
						assert.True(t, r == "*" || strings.HasPrefix(r, "arn:aws:"), "%s: %s", st.Sid, r)
					}
				}
			}
			assert.True(t, f.result.Allows("sts:GetCallerIdentity", "*"), "the provider's account check")
		})
	}
}

// TestPolicy_NoDeleteForProtectedOrRetained: a resource Pulumi never deletes gets none of its delete
// actions, on any ARN that names it; and the output says which ones were left out.
func TestPolicy_NoDeleteForProtectedOrRetained(t *testing.T) {
	for _, name := range fixtureStacks {
		t.Run(name, func(t *testing.T) {
			f := planFixture(t, name)
			e, err := EnvOf(f.stack)
			require.NoError(t, err)
			kept := 0
			for _, s := range managed(f.plan) {
				if !s.NewState.Protect && !s.NewState.RetainOnDelete {
					continue
				}
				kept++
				info, _ := catalog.Of(catalog.Type(s.NewState.Type))
				for _, g := range info.Deployer.Grants {
					if g.On == catalog.OnAnyResource {
						continue
					}
					for _, a := range deleteOnly(g, s) {
						for _, r := range scopes[g.On](e, s) {
							assert.False(t, f.result.Allows(a, r), "%s (%s) is %s, yet %s is granted on %s", s.Name(), s.NewState.Type, reason(s), a, r)
						}
					}
				}
			}
			assert.NotZero(t, kept, "the fixture has protected or retained resources")
			assert.NotEmpty(t, f.result.Withheld)
			for _, n := range f.result.Notes {
				assert.NotContains(t, n, "also covers", "no withheld action is granted through a wildcard")
			}
		})
	}
}

func TestPolicy_Destination(t *testing.T) {
	f := planFixture(t, "destination")
	r := f.result
	bucket := "arn:aws:s3:::acme-log-archive-eu-west-1"
	key := "arn:aws:kms:eu-west-1:111111111111:key/" + targetKeyID(t, f.plan, "archive-key-alias")

	assert.True(t, r.Allows("s3:CreateBucket", bucket))
	assert.False(t, r.Allows("s3:DeleteBucket", bucket), "the archive bucket is protected: no s3:DeleteBucket")
	assert.False(t, r.Allows("s3:DeleteBucket", "*"))
	assert.False(t, r.Allows("s3:DeleteBucketPolicy", bucket))
	// Object Lock at creation (CreateBucket with x-amz-bucket-object-lock-enabled) and its configuration.
	assert.True(t, r.Allows("s3:PutBucketObjectLockConfiguration", bucket))
	assert.True(t, r.Allows("s3:PutBucketVersioning", bucket))
	// The reads the provider makes on refresh: each API call under its IAM action.
	for _, a := range []string{"s3:GetBucketCORS", "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration",
		"s3:GetEncryptionConfiguration", "s3:GetBucketObjectLockConfiguration", "s3:GetAccelerateConfiguration",
		"s3:GetBucketPublicAccessBlock", "s3:GetBucketOwnershipControls", "s3:ListBucket"} {
		assert.True(t, r.Allows(a, bucket), a)
	}
	for _, a := range []string{"s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutBucketPolicy",
		"s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls"} {
		assert.True(t, r.Allows(a, bucket), a)
	}
	assert.False(t, r.Allows("s3:PutBucketEncryption", bucket), "not an IAM action")

	assert.True(t, r.Allows("kms:PutKeyPolicy", key))
	assert.True(t, r.Allows("kms:EnableKeyRotation", key))
	assert.False(t, r.Allows("kms:ScheduleKeyDeletion", key), "the archive key is protected")
	assert.False(t, r.Allows("kms:DisableKey", key))
	assert.False(t, r.Allows("kms:DisableKeyRotation", key))
	assert.False(t, r.Allows("kms:DeleteAlias", "arn:aws:kms:eu-west-1:111111111111:alias/log-archive"))
	assert.True(t, r.Allows("kms:CreateAlias", "arn:aws:kms:eu-west-1:111111111111:alias/log-archive"))
	assert.True(t, r.Allows("kms:CreateAlias", key), "CreateAlias is authorised on the key too")

	create := statementWith(t, r, "kms:CreateKey")
	assert.Equal(t, policy.Strings{"*"}, create.Resource)
	assert.Equal(t, policy.Strings{"ENCRYPT_DECRYPT"}, create.Condition["StringEquals"]["kms:KeyUsage"])
	assert.Equal(t, policy.Strings{"false"}, create.Condition["Bool"]["kms:BypassPolicyLockoutSafetyCheck"])

	assert.False(t, r.Allows("iam:PassRole", "*"), "the destination passes no role")
	assert.Contains(t, withheldTypes(r), "aws:s3/bucketV2:BucketV2")
}

func TestPolicy_Source(t *testing.T) {
	f := planFixture(t, "source")
	r := f.result
	logBucket := "arn:aws:s3:::acme-workload-a-logs-eu-west-1"
	existing := "arn:aws:s3:::acme-workload-a-app-logs"
	role := "arn:aws:iam::222222222222:role/log-archive/log-archive-replication"
	logKey := "arn:aws:kms:eu-west-1:222222222222:key/" + targetKeyID(t, f.plan, "source-acme-workload-a-logs-eu-west-1-key-alias")

	// The log bucket's key is retained: never scheduled for deletion.
	assert.True(t, r.Allows("kms:DescribeKey", logKey))
	assert.False(t, r.Allows("kms:ScheduleKeyDeletion", logKey), "the log bucket's key is retained")
	assert.False(t, r.Allows("s3:DeleteBucket", logBucket), "the log bucket is retained")
	assert.False(t, r.Allows("s3:CreateBucket", existing), "the existing bucket is not the stack's to create")

	// The replication configuration, on the source buckets' ARNs.
	for _, b := range []string{existing, logBucket} {
		assert.True(t, r.Allows("s3:PutReplicationConfiguration", b), b)
		assert.True(t, r.Allows("s3:GetReplicationConfiguration", b), b)
		assert.True(t, r.Allows("s3:PutBucketVersioning", b), b)
	}
	repl := statementWith(t, r, "s3:PutReplicationConfiguration")
	assert.ElementsMatch(t, []string{existing, logBucket}, repl.Resource)

	// The replication role: passed to S3 only.
	pass := statementWith(t, r, "iam:PassRole")
	assert.Equal(t, policy.Strings{role}, pass.Resource)
	assert.Equal(t, policy.Conditions{"StringEquals": {"iam:PassedToService": {"s3.amazonaws.com"}}}, pass.Condition)
	assert.Equal(t, policy.Strings{"iam:PassRole"}, pass.Action, "PassRole has a statement of its own, so its condition narrows nothing else")

	// The role and its policy are neither protected nor retained: destroy deletes them.
	for _, a := range []string{"iam:CreateRole", "iam:TagRole", "iam:GetRole", "iam:DeleteRole", "iam:PutRolePolicy",
		"iam:DeleteRolePolicy", "iam:ListInstanceProfilesForRole"} {
		assert.True(t, r.Allows(a, role), a)
	}
	assert.False(t, r.Allows("iam:CreateRole", "arn:aws:iam::222222222222:role/Admin"))
	assert.False(t, r.Allows("iam:PutRolePolicy", "arn:aws:iam::222222222222:role/Admin"))
}

func TestPack_SplitsWhatIsOverTheLimit(t *testing.T) {
	var statements []policy.Statement
	for i := range 40 {
		var resources []string
		for j := range 10 {
			resources = append(resources, fmt.Sprintf("arn:aws:s3:::bucket-%03d-%03d", i, j))
		}
		statements = append(statements, policy.Statement{Sid: fmt.Sprintf("S%d", i), Effect: "Allow",
			Action: []string{"s3:GetBucketPolicy", "s3:PutBucketPolicy"}, Resource: resources})
	}
	var big []string
	for j := range 400 {
		big = append(big, fmt.Sprintf("arn:aws:s3:::a-rather-long-bucket-name-%04d", j))
	}
	statements = append(statements, policy.Statement{Sid: "Big", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: big})

	policies, err := pack("many", statements)
	require.NoError(t, err)
	require.Greater(t, len(policies), 1)
	var resources []string
	sids := map[string]bool{}
	for i, p := range policies {
		assert.Equal(t, fmt.Sprintf("log-archive-deployer-many-%d", i+1), p.Name)
		assert.LessOrEqual(t, p.Size, policy.ManagedPolicyLimit, p.Name)
		for _, st := range p.Document.Statement {
			assert.False(t, sids[st.Sid], st.Sid)
			sids[st.Sid] = true
			if strings.HasPrefix(st.Sid, "Big") {
				assert.Regexp(t, `^Big(Part[12])+$`, st.Sid)
				resources = append(resources, st.Resource...)
			}
		}
	}
	assert.Equal(t, big, resources, "every resource of the split statement, once, in order")
}

func TestAllows(t *testing.T) {
	r := &Result{Policies: []Policy{{Document: policy.Document{Statement: []policy.Statement{
		{Sid: "A", Effect: "Allow", Action: []string{"kms:DescribeKey"}, Resource: []string{"arn:aws:kms:eu-west-1:1:key/*"}},
	}}}}}
	assert.True(t, r.Allows("kms:describekey", "arn:aws:kms:eu-west-1:1:key/abc"), "actions are case-insensitive")
	assert.True(t, r.Allows("kms:DescribeKey", "arn:aws:kms:eu-west-1:1:key/*"))
	assert.False(t, r.Allows("kms:DescribeKey", "arn:aws:kms:eu-west-1:1:alias/x"))
	assert.False(t, r.Allows("kms:DescribeKey", "*"), "a wider resource is not allowed by a narrower grant")
}

func TestWriteText_SaysWhatIsLeftOut(t *testing.T) {
	f := planFixture(t, "destination")
	var b strings.Builder
	require.NoError(t, f.result.WriteText(&b))
	out := b.String()
	assert.Contains(t, out, "Delete permissions NOT granted")
	assert.Contains(t, out, "aws:s3/bucketV2:BucketV2 archive-bucket [protect, retainOnDelete]: s3:DeleteBucket")
	assert.Contains(t, out, "state")
	start := strings.Index(out, "\n{")
	require.Positive(t, start)
	want, err := json.Marshal(f.result.Policies[0].Document)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), out[start:], "the document after the header is the policy JSON")
}

func statementWith(t *testing.T, r *Result, action string) policy.Statement {
	t.Helper()
	for _, st := range r.Statements() {
		if slices.Contains(st.Action, action) {
			return st
		}
	}
	t.Fatalf("no statement grants %s", action)
	return policy.Statement{}
}

func withheldTypes(r *Result) []string {
	var out []string
	for _, w := range r.Withheld {
		out = append(out, w.Type)
	}
	return out
}

// targetKeyID is the (synthesised) key ID the named alias points at: a key ARN the plan computes.
func targetKeyID(t *testing.T, p *plan.Plan, alias string) string {
	t.Helper()
	s, ok := p.Named("aws:kms/alias:Alias", alias)
	require.True(t, ok, alias)
	id, _ := s.NewState.Inputs["targetKeyId"].(string)
	require.NotEmpty(t, id)
	return id
}

// TestPolicy_AlarmsAndAnotherRegion: the alarm resources get their permissions, a topic policy whose topic
// ARN is computed is scoped through its dependency, and what an explicit provider creates is in that
// provider's Region: its regional ARNs name that Region, and the stack's own resources only the stack's.
func TestPolicy_AlarmsAndAnotherRegion(t *testing.T) {
	f := planFixture(t, "source")
	urn := func(typ, name string) string { return "urn:pulumi:source::log-archive::" + typ + "::" + name }
	provider := urn("pulumi:providers:aws", "archive-region")
	via := provider + "::us-east-1-0123abcd"
	topic := urn("aws:sns/topic:Topic", "alarms")
	p := &plan.Plan{Steps: append(slices.Clone(f.plan.Steps),
		plan.Step{Op: "create", URN: provider,
			NewState: plan.State{Type: "pulumi:providers:aws", Custom: true, Inputs: map[string]any{"region": "us-east-1"}}},
		plan.Step{Op: "create", URN: topic,
			NewState: plan.State{Type: "aws:sns/topic:Topic", Custom: true, Provider: via, Inputs: map[string]any{"name": "log-archive-alarms"}}},
		plan.Step{Op: "create", URN: urn("aws:sns/topicPolicy:TopicPolicy", "alarms-policy"),
			NewState: plan.State{Type: "aws:sns/topicPolicy:TopicPolicy", Custom: true, Provider: via, Inputs: map[string]any{}, Dependencies: []string{topic}}},
		plan.Step{Op: "create", URN: urn("aws:cloudwatch/metricAlarm:MetricAlarm", "failed"),
			NewState: plan.State{Type: "aws:cloudwatch/metricAlarm:MetricAlarm", Custom: true, Provider: via, Inputs: map[string]any{"name": "replication-failed"}}},
		plan.Step{Op: "create", URN: urn("aws:s3/bucketNotification:BucketNotification", "events"),
			NewState: plan.State{Type: "aws:s3/bucketNotification:BucketNotification", Custom: true, Inputs: map[string]any{"bucket": "acme-workload-a-app-logs"}}},
	)}
	r, err := Generate(f.stack, p)
	require.NoError(t, err)
	for region, want := range map[string]bool{"us-east-1": true, "eu-west-1": false} {
		assert.Equal(t, want, r.Allows("sns:CreateTopic", "arn:aws:sns:"+region+":222222222222:log-archive-alarms"), region)
		assert.Equal(t, want, r.Allows("sns:SetTopicAttributes", "arn:aws:sns:"+region+":222222222222:log-archive-alarms"), region)
		assert.Equal(t, want, r.Allows("cloudwatch:PutMetricAlarm", "arn:aws:cloudwatch:"+region+":222222222222:alarm:replication-failed"), region)
		assert.Equal(t, !want, r.Allows("kms:DescribeKey", "arn:aws:kms:"+region+":222222222222:key/k"), "the stack's keys are in its own Region: %s", region)
	}
	assert.True(t, r.Allows("sns:DeleteTopic", "arn:aws:sns:us-east-1:222222222222:log-archive-alarms"), "the topic is not retained")
	assert.False(t, r.Allows("sns:SetTopicAttributes", "arn:aws:sns:us-east-1:222222222222:other"))
	assert.True(t, r.Allows("s3:PutBucketNotification", "arn:aws:s3:::acme-workload-a-app-logs"))
	// The * grants admit every Region the plan's providers use, and no other.
	create := statementWith(t, r, "kms:CreateKey")
	assert.ElementsMatch(t, []string{"eu-west-1", "us-east-1"}, create.Condition["StringEquals"]["aws:RequestedRegion"])
}

// ForAccount renders the policy for a template that deploys it to many accounts (the onboarding
// bootstrap: a CloudFormation StackSet substitutes ${AWS::AccountId}).
func TestResult_ForAccount(t *testing.T) {
	f := planFixture(t, "source")
	r, err := f.result.ForAccount("${AWS::AccountId}")
	require.NoError(t, err)
	text, err := json.Marshal(r.Policies)
	require.NoError(t, err)
	assert.NotContains(t, string(text), "222222222222")
	assert.Contains(t, string(text), "arn:aws:iam::${AWS::AccountId}:role/log-archive/log-archive-replication")
	assert.Contains(t, string(text), "arn:aws:iam::${AWS::AccountId}:policy/log-archive/log-archive-role-boundary")
	assert.Equal(t, "${AWS::AccountId}", r.Account)
	assert.Equal(t, f.result.Policies[0].Size, r.Policies[0].Size, "the size IAM counts is the substituted document's")
	orig, _ := json.Marshal(f.result.Policies)
	assert.Contains(t, string(orig), "222222222222", "the original is untouched")
}

// ForAccount reads the policy back through internal/policy's types: a condition with no values stays one
// with no values (null), not one empty value.
func TestResult_ForAccount_KeepsConditionsAsTheyAre(t *testing.T) {
	r := &Result{Account: "111111111111", Policies: []Policy{{Document: policy.Document{Version: policy.Version, Statement: []policy.Statement{{
		Sid: "A", Effect: "Allow", Action: []string{"iam:AttachRolePolicy"}, Resource: []string{"arn:aws:iam::111111111111:role/r"},
		Condition: policy.Conditions{"ArnLike": {"iam:PolicyARN": nil}, "StringEquals": {"aws:RequestedRegion": {"eu-west-1"}}},
	}}}}}}
	out, err := r.ForAccount("${AWS::AccountId}")
	require.NoError(t, err)
	st := out.Policies[0].Document.Statement[0]
	assert.Equal(t, policy.Strings{"arn:aws:iam::${AWS::AccountId}:role/r"}, st.Resource)
	assert.Equal(t, policy.Conditions{"ArnLike": {"iam:PolicyARN": nil}, "StringEquals": {"aws:RequestedRegion": {"eu-west-1"}}}, st.Condition)
}
