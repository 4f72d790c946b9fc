package onboard

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"log-archive/internal/plan"
	"log-archive/internal/stackconfig"
)

// OrganizationsAPI is what onboard asks AWS Organizations: the client of aws-sdk-go-v2, or a stand-in.
// The calls work from the management account or a delegated administrator (OR1).
type OrganizationsAPI interface {
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	organizations.ListAccountsForParentAPIClient
	organizations.ListOrganizationalUnitsForParentAPIClient
}

// Listing is the accounts of some OUs, ready to onboard, and the ones left out with the reason.
type Listing struct {
	Input             Input
	Skipped           []string
	ManagementAccount string
}

// ListOUs lists the accounts directly under each parent (an OU or root ID), and under their child OUs
// when recursive, page by page (OR1). Only ACTIVE accounts are onboarded: a SUSPENDED or PENDING_CLOSURE
// account cannot deploy, and is skipped with a message. The management account is skipped too (SS2).
// Each account's stack is named after its account name, made a valid stack name.
func ListOUs(ctx context.Context, api OrganizationsAPI, parents []string, recursive bool) (Listing, error) {
	org, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return Listing{}, fmt.Errorf("organizations:DescribeOrganization: %w (run onboard --ou with credentials of the management account or a delegated administrator)", err)
	}
	l := Listing{ManagementAccount: aws.ToString(org.Organization.MasterAccountId)}
	seen := map[string]bool{}
	stacks := map[string]string{}
	queue := append([]string(nil), parents...)
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		accounts := organizations.NewListAccountsForParentPaginator(api, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
		for accounts.HasMorePages() {
			page, err := accounts.NextPage(ctx)
			if err != nil {
				return Listing{}, fmt.Errorf("organizations:ListAccountsForParent %s: %w", parent, err)
			}
			for _, a := range page.Accounts {
				id, name := aws.ToString(a.Id), aws.ToString(a.Name)
				switch {
				case seen[id]:
					continue
				case id == l.ManagementAccount:
					l.Skipped = append(l.Skipped, fmt.Sprintf("%s (%s) in %s: the management account is never a source (StackSets do not deploy the deploy roles there, SS2)", id, name, parent))
				case state(a) != string(types.AccountStateActive):
					l.Skipped = append(l.Skipped, fmt.Sprintf("%s (%s) in %s: %s, not ACTIVE; onboard it again once it is active", id, name, parent, state(a)))
				default:
					stack := stackNameFor(name, id)
					if _, taken := stacks[stack]; taken {
						stack = stack + "-" + id // two accounts of one name: the ID tells them apart
					}
					stacks[stack] = id
					l.Input.Accounts = append(l.Input.Accounts, Account{Account: id, Stack: stack, Name: name})
					l.Input.Where = append(l.Input.Where, fmt.Sprintf("%s account %s (%s)", parent, id, name))
				}
				seen[id] = true
			}
		}
		if !recursive {
			continue
		}
		children := organizations.NewListOrganizationalUnitsForParentPaginator(api, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
		for children.HasMorePages() {
			page, err := children.NextPage(ctx)
			if err != nil {
				return Listing{}, fmt.Errorf("organizations:ListOrganizationalUnitsForParent %s: %w", parent, err)
			}
			for _, ou := range page.OrganizationalUnits {
				queue = append(queue, aws.ToString(ou.Id))
			}
		}
	}
	return l, l.Input.check()
}

// state is the account's State, or its Status from an endpoint that predates State (retired September 2026).
func state(a types.Account) string {
	if a.State != "" {
		return string(a.State)
	}
	return string(a.Status)
}

var notStackChars = regexp.MustCompile(`[^a-z0-9]+`)

// stackNameFor makes an account name a stack name: "Workload A (prod)" becomes "workload-a-prod".
func stackNameFor(name, id string) string {
	s := strings.Trim(notStackChars.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if s == "" {
		return "account-" + id
	}
	return s
}

// SkipArchive leaves the archive account out of an OU's listing: the archive's own stack deploys there.
// A list (--accounts) that names it onboards it as a source too, on purpose.
func (l *Listing) SkipArchive(dir string) {
	f, err := LoadFleet(dir)
	if err != nil {
		return // onboard reports fleet.yaml's problems
	}
	st, err := plan.LoadStack(dir, f.DestinationName())
	if err != nil {
		return
	}
	archive := st.Config[stackconfig.KeyArchiveAccountID]
	for i := 0; i < len(l.Input.Accounts); i++ {
		if l.Input.Accounts[i].Account != archive {
			continue
		}
		l.Skipped = append(l.Skipped, fmt.Sprintf("%s (%s): the archive account, where %s deploys; list it with --accounts to send its own logs too",
			archive, l.Input.Accounts[i].Name, StackFile(f.DestinationName())))
		l.Input.Accounts = append(l.Input.Accounts[:i], l.Input.Accounts[i+1:]...)
		l.Input.Where = append(l.Input.Where[:i], l.Input.Where[i+1:]...)
		i--
	}
}
