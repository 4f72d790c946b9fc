package onboard

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/program"
)

// orgAccount is an account as the Organizations API returns it.
type orgAccount struct {
	Id, Name, State string
}

// fakeOrganizations is an in-process AWS Organizations on loopback: the real SDK client talks to it over
// HTTP (awsJson1_1), so pagination and error handling run the SDK's own code. Pages hold pageSize items.
type fakeOrganizations struct {
	management string
	accounts   map[string][]orgAccount // by parent
	children   map[string][]string     // child OUs by parent
	pageSize   int
	mu         sync.Mutex
	calls      []string // "Operation parent token"
}

func (f *fakeOrganizations) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSOrganizationsV20161128.")
	var in struct{ ParentId, NextToken string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	f.calls = append(f.calls, strings.TrimSpace(op+" "+in.ParentId+" "+in.NextToken))
	f.mu.Unlock()
	start, _ := strconv.Atoi(in.NextToken)
	page := func(n int) (int, string) {
		end := min(start+f.pageSize, n)
		if end < n {
			return end, strconv.Itoa(end)
		}
		return end, ""
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	var out map[string]any
	switch op {
	case "DescribeOrganization":
		out = map[string]any{"Organization": map[string]any{"Id": "o-a1b2c3d4e5", "MasterAccountId": f.management}}
	case "ListAccountsForParent":
		all := f.accounts[in.ParentId]
		end, next := page(len(all))
		var items []map[string]any
		for _, a := range all[start:end] {
			items = append(items, map[string]any{"Id": a.Id, "Name": a.Name, "State": a.State, "Status": a.State,
				"Arn": "arn:aws:organizations::" + f.management + ":account/o-a1b2c3d4e5/" + a.Id})
		}
		out = map[string]any{"Accounts": items, "NextToken": next}
	case "ListOrganizationalUnitsForParent":
		all := f.children[in.ParentId]
		end, next := page(len(all))
		var items []map[string]any
		for _, id := range all[start:end] {
			items = append(items, map[string]any{"Id": id, "Name": id})
		}
		out = map[string]any{"OrganizationalUnits": items, "NextToken": next}
	default:
		w.WriteHeader(http.StatusBadRequest)
		out = map[string]any{"__type": "InvalidInputException", "message": "unexpected " + op}
	}
	if out["NextToken"] == "" {
		delete(out, "NextToken")
	}
	_ = json.NewEncoder(w).Encode(out)
}

func (f *fakeOrganizations) client(t *testing.T) *organizations.Client {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return organizations.New(organizations.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
}

// twoOUs is an organization of two OUs; the first has a nested OU, and holds a suspended account, an
// account pending closure and the management account.
func twoOUs() *fakeOrganizations {
	return &fakeOrganizations{
		management: "999999999999",
		pageSize:   2,
		accounts: map[string][]orgAccount{
			"ou-ab12-workloads": {
				{"444444444444", "Workload B", "ACTIVE"},
				{"999999999999", "Management", "ACTIVE"},
				{"666666666666", "Old Workload", "SUSPENDED"},
				{"777777777777", "Closing", "PENDING_CLOSURE"},
				{"555555555555", "Workload C (prod)", "ACTIVE"},
			},
			"ou-ab12-nested":  {{"888888888888", "Nested", "ACTIVE"}},
			"ou-ab12-sandbox": {{"123123123123", "Sandbox", "ACTIVE"}, {"111111111111", "Log Archive", "ACTIVE"}},
		},
		children: map[string][]string{"ou-ab12-workloads": {"ou-ab12-nested"}},
	}
}

func TestListOUs(t *testing.T) {
	for _, tc := range []struct {
		name      string
		recursive bool
		want      []Account
	}{
		{"direct members only", false, []Account{
			{Account: "444444444444", Stack: "workload-b", Name: "Workload B"},
			{Account: "555555555555", Stack: "workload-c-prod", Name: "Workload C (prod)"},
			{Account: "123123123123", Stack: "sandbox", Name: "Sandbox"},
			{Account: "111111111111", Stack: "log-archive", Name: "Log Archive"},
		}},
		{"recursive", true, []Account{
			{Account: "444444444444", Stack: "workload-b", Name: "Workload B"},
			{Account: "555555555555", Stack: "workload-c-prod", Name: "Workload C (prod)"},
			{Account: "123123123123", Stack: "sandbox", Name: "Sandbox"},
			{Account: "111111111111", Stack: "log-archive", Name: "Log Archive"},
			{Account: "888888888888", Stack: "nested", Name: "Nested"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := twoOUs()
			l, err := ListOUs(context.Background(), fake.client(t), []string{"ou-ab12-workloads", "ou-ab12-sandbox"}, tc.recursive)
			require.NoError(t, err)
			assert.Equal(t, tc.want, l.Input.Accounts)
			assert.Equal(t, "999999999999", l.ManagementAccount)
			assert.Equal(t, []string{
				"999999999999 (Management) in ou-ab12-workloads: the management account is never a source (StackSets do not deploy the deploy roles there, SS2)",
				"666666666666 (Old Workload) in ou-ab12-workloads: SUSPENDED, not ACTIVE; onboard it again once it is active",
				"777777777777 (Closing) in ou-ab12-workloads: PENDING_CLOSURE, not ACTIVE; onboard it again once it is active",
			}, l.Skipped)
			assert.Contains(t, fake.calls, "ListAccountsForParent ou-ab12-workloads 2", "the second page is asked for with the first page's token")
			assert.Contains(t, fake.calls, "ListAccountsForParent ou-ab12-workloads 4")
		})
	}
}

func TestListOUs_FailsWithoutOrganizationsAccess(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"AccessDeniedException","message":"You don't have permissions to access this resource."}`))
	}))
	defer srv.Close()
	api := organizations.New(organizations.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")})
	_, err := ListOUs(context.Background(), api, []string{"ou-ab12-workloads"}, false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "management account or a delegated administrator")
	assert.Contains(t, err.Error(), "AccessDeniedException")
}

func TestOnboard_FromOUs(t *testing.T) {
	dir := fleetProject(t, fleetYAML)
	fake := twoOUs()
	l, err := ListOUs(context.Background(), fake.client(t), []string{"ou-ab12-workloads", "ou-ab12-sandbox"}, true)
	require.NoError(t, err)
	l.SkipArchive(dir)
	assert.Contains(t, l.Skipped, "111111111111 (Log Archive): the archive account, where Pulumi.destination.yaml deploys; list it with --accounts to send its own logs too")
	res, err := Onboard(Options{Dir: dir, Input: l.Input, ManagementAccount: l.ManagementAccount, Canary: []string{"sandbox"}, Program: program.Program})
	require.NoError(t, err)
	require.NoError(t, res.Write(dir))
	assert.Equal(t, "4 created, 3 updated", res.Summary())
	assert.Contains(t, read(t, dir, FleetFile), `  - {account: "888888888888", stack: nested, name: Nested}`)
	assert.Contains(t, read(t, dir, ".github/stacks.yaml"), `  sandbox:
    account: "123123123123"
    region: eu-west-1
    role: arn:aws:iam::123123123123:role/log-archive-github-deployer
    previewRole: arn:aws:iam::123123123123:role/log-archive-github-previewer
    wave: canary
`)
}
