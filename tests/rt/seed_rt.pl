#!/usr/bin/perl
# Seeds a Request Tracker 5 database in bulk through RT's own Perl API (not over REST: a REST
# request per message costs ~1 s of round trips and bcrypt; here a whole ticket costs milliseconds).
#
#   RT_SITE_CONFIG=/tmp/x/RT_SiteConfig.pm RT_SITE_CONFIG_DIR=/tmp/x/RT_SiteConfig.d \
#   perl -I/usr/share/request-tracker5/lib seed_rt.pl --tickets 300 --messages 4 --seed 1 --output seed.json
#
# Arguments (or the environment variables RT_SEED_TICKETS, RT_SEED_MESSAGES, RT_SEED_RANDOM,
# RT_SEED_OUTPUT): --tickets N, --messages M (content transactions per ticket, the first message
# included), --seed S (random seed: the same seed gives the same data), --output FILE (JSON summary).
#
# Run again on the same database, it reuses the queues, custom fields, groups and users it made
# and adds N more tickets. Scrips are off for the seed (no notifications, no auto-open), and the
# seeded dates are spread over the last 60 days, then written straight into the tables.
use strict;
use warnings;
use utf8;

use Encode ();
use Getopt::Long;
use JSON ();
use List::Util qw(shuffle);
use MIME::Entity;
use Time::HiRes ();
use POSIX ();

use RT;

my %opt = (
    tickets  => $ENV{RT_SEED_TICKETS}  // 300,
    messages => $ENV{RT_SEED_MESSAGES} // 4,
    seed     => $ENV{RT_SEED_RANDOM}   // 1,
    output   => $ENV{RT_SEED_OUTPUT}   // '',
);
GetOptions(\%opt, 'tickets=i', 'messages=i', 'seed=i', 'output=s') or die "bad arguments\n";
die "--messages must be at least 1\n" if $opt{messages} < 1;

my $started = Time::HiRes::time();
RT::LoadConfig();
# One log line per ticket is noise here; failures still reach the log (and die below).
RT->Config->Set(LogToFile => 'warning') if RT->Config->Get('LogToFile');
RT::Init();
# RT turns on bind values for every search; DBIx::SearchBuilder then re-parses each SQL string
# character by character to pull the literals out (_ExtractBindValues): a quarter of the seed's
# CPU on SQLite, for nothing. The same SQL runs with literals inlined.
$DBIx::SearchBuilder::PREFER_BIND = 0;
srand($opt{seed});

my $dbh = $RT::Handle->dbh;
local $dbh->{RaiseError} = 1;
# WAL lets the server's worker processes read while one of them (or a test's rt.perl) writes;
# it is a property of the file, so setting it once here holds for the server too.
$dbh->do('PRAGMA journal_mode=WAL');
$dbh->do('PRAGMA synchronous=OFF');

# Scrips off for this process only: each transaction would otherwise prepare and commit every
# scrip (notification mail, auto-reply, open-on-correspond), which is most of the seed's time.
{
    no warnings qw(redefine once);
    my $create = \&RT::Transaction::Create;
    *RT::Transaction::Create = sub { my $self = shift; $create->($self, @_, ActivateScrips => 0) };
    *RT::Ticket::ApplyTransactionBatch = sub { return } if RT::Ticket->can('ApplyTransactionBatch');
}

sub fail { die join(' ', map { defined $_ ? $_ : '' } @_) . "\n" }

sub check {
    my ($what, $ok, $msg) = @_;
    fail("$what:", $msg) unless $ok;
    return $ok;
}

sub pick { return $_[ int(rand(@_)) ] }

# --- queues -------------------------------------------------------------------------------------

my @queue_specs = (
    { Name => 'General',  Description => '通用咨询 General enquiries', CorrespondAddress => 'support@callcentre.test' },
    { Name => '售后二线', Description => 'After-sales second line 售后二线', CorrespondAddress => 'aftersales@callcentre.test' },
    { Name => 'VIP',      Description => 'VIP customers 贵宾客户', CorrespondAddress => 'vip@callcentre.test' },
);
my @queues;
for my $spec (@queue_specs) {
    my $queue = RT::Queue->new(RT->SystemUser);
    $queue->Load($spec->{Name});
    unless ($queue->id) {
        check("queue $spec->{Name}", $queue->Create(%$spec));
    }
    $queue->SetDescription($spec->{Description}) if ($queue->Description // '') ne $spec->{Description};
    push @queues, $queue;
}

# --- custom fields ------------------------------------------------------------------------------

my %cf_values = (
    Channel => [qw(email phone chat web social)],
    Tier    => [qw(vip key_account standard)],
);
my %cfs;
for my $name (qw(Channel Tier)) {
    my $cf = RT::CustomField->new(RT->SystemUser);
    $cf->LoadByName(Name => $name, LookupType => RT::Ticket->CustomFieldLookupType);
    unless ($cf->id) {
        check("custom field $name", $cf->Create(
            Name       => $name,
            Type       => 'Select',
            MaxValues  => 1,
            LookupType => RT::Ticket->CustomFieldLookupType,
            Description => "$name of the contact",
        ));
        my $sort = 0;
        $cf->AddValue(Name => $_, SortOrder => $sort++) for @{ $cf_values{$name} };
    }
    for my $queue (@queues) {
        $cf->AddToObject($queue) unless $cf->IsAdded($queue->id);
    }
    $cfs{$name} = $cf;
}

# --- staff --------------------------------------------------------------------------------------

sub load_or_create_user {
    my (%args) = @_;
    my $user = RT::User->new(RT->SystemUser);
    $user->Load($args{Name});
    return $user if $user->id;
    my $password = delete $args{Password};
    check("user $args{Name}", $user->Create(%args));
    check("password of $args{Name}", $user->SetPassword($password)) if defined $password;
    return $user;
}

sub load_or_create_group {
    my ($name, $description) = @_;
    my $group = RT::Group->new(RT->SystemUser);
    $group->LoadUserDefinedGroup($name);
    check("group $name", $group->CreateUserDefinedGroup(Name => $name, Description => $description))
        unless $group->id;
    return $group;
}

sub grant {
    my ($principal, $object, @rights) = @_;
    for my $right (@rights) {
        next if $principal->HasRight(Right => $right, Object => $object);
        my ($ok, $msg) = $principal->GrantRight(Right => $right, Object => $object);
        check("grant $right", $ok, $msg);
    }
}

my %staff;
$staff{agent1} = load_or_create_user(
    Name => 'agent1', Password => 'agent1-pass', RealName => '张伟 Zhang Wei',
    EmailAddress => 'agent1@callcentre.test', Privileged => 1, WorkPhone => '+86 21 5555 0101',
);
$staff{agent2} = load_or_create_user(
    Name => 'agent2', Password => 'agent2-pass', RealName => 'Li Na 李娜',
    EmailAddress => 'agent2@callcentre.test', Privileged => 1, WorkPhone => '+86 21 5555 0102',
);
$staff{viewer1} = load_or_create_user(
    Name => 'viewer1', Password => 'viewer1-pass', RealName => '王芳 Wang Fang (QA)',
    EmailAddress => 'viewer1@callcentre.test', Privileged => 1,
);

my $agents = load_or_create_group('Agents', 'Call-centre agents 坐席');
my $viewers = load_or_create_group('Viewers', 'Read-only quality reviewers 质检');
for my $name (qw(agent1 agent2)) {
    $agents->AddMember($staff{$name}->PrincipalId) unless $agents->HasMember($staff{$name}->PrincipalId);
}
$viewers->AddMember($staff{viewer1}->PrincipalId) unless $viewers->HasMember($staff{viewer1}->PrincipalId);

my @agent_rights = qw(SeeQueue ShowTicket CreateTicket ReplyToTicket CommentOnTicket ModifyTicket
    OwnTicket TakeTicket StealTicket ShowTicketComments Watch WatchAsAdminCc ShowOutgoingEmail);
my @viewer_rights = qw(SeeQueue ShowTicket ShowTicketComments);
my $everyone_unprivileged = RT::Group->new(RT->SystemUser);
$everyone_unprivileged->LoadSystemInternalGroup('Unprivileged');
for my $queue (@queues) {
    grant($agents->PrincipalObj, $queue, @agent_rights);
    grant($viewers->PrincipalObj, $queue, @viewer_rights);
    # Customers write in by e-mail: unprivileged users may open and reply (as with a mail
    # gateway); the requestor role sees its own tickets.
    grant($everyone_unprivileged->PrincipalObj, $queue, qw(CreateTicket ReplyToTicket));
    my $requestor_role = $queue->RoleGroup('Requestor');
    grant($requestor_role->PrincipalObj, $queue, qw(ShowTicket));
}
for my $cf (values %cfs) {
    grant($agents->PrincipalObj, $cf, qw(SeeCustomField ModifyCustomField SetInitialCustomField));
    grant($viewers->PrincipalObj, $cf, qw(SeeCustomField));
}
# Privileged staff may look up users (a transaction's Creator, a ticket's requestors) and make
# their own tokens.
grant($agents->PrincipalObj, RT->System, qw(ShowUserHistory SeeGroup ManageAuthTokens ModifySelf));
grant($viewers->PrincipalObj, RT->System, qw(SeeGroup));

# --- requestors (customers) ---------------------------------------------------------------------

my @family = qw(王 李 张 刘 陈 杨 黄 赵 吴 周);
my @given = qw(芳 伟 娜 敏 静 强 磊 洋 艳 军);
my @first_en = qw(Alice Bob Carol David Emma Frank Grace Henry Ivy Jack Karen Leo Mia Noah Olivia);
my @last_en = qw(Smith Jones Brown Taylor Wilson Evans Thomas Roberts Walker Wright);
my @requestors;
for my $n (1 .. 50) {
    my $name = sprintf('customer%02d@example.com', $n);
    my $real = $n % 3 == 0
        ? $family[$n % @family] . $given[($n * 7) % @given]
        : $n % 3 == 1
        ? "$first_en[$n % @first_en] $last_en[($n * 3) % @last_en]"
        : $family[($n * 3) % @family] . $given[$n % @given] . " $first_en[($n * 5) % @first_en]";
    my %phones;
    $phones{MobilePhone} = sprintf('+86 138 %04d %04d', $n * 37 % 10000, $n * 91 % 10000) if $n % 2;
    $phones{WorkPhone} = sprintf('+86 10 6%03d %04d', $n, $n * 13 % 10000) if $n % 5 == 0;
    my $user = load_or_create_user(
        Name => $name, EmailAddress => $name, RealName => $real, Privileged => 0,
        Organization => ($n % 4 == 0 ? '某某贸易有限公司' : ''), %phones,
    );
    push @requestors, $user;
}

# --- tickets ------------------------------------------------------------------------------------

my @subjects = (
    '无法登录账户 Cannot log in to my account',
    'Refund request for order #%d',
    '快递未送达 Parcel %d not delivered',
    'Invoice %d shows the wrong amount',
    '发票抬头需要修改',
    'Wrong size delivered (order %d)',
    '会员积分没有到账',
    'Change of delivery address 修改收货地址',
    '产品质量问题：屏幕有坏点',
    'Cancel my subscription',
    '退款进度查询 #%d',
    'Password reset e-mail never arrives',
    '预约上门安装时间',
    'Complaint about the hotline waiting time 投诉热线等待时间过长',
);
my @customer_lines = (
    "您好，我的订单已经一个星期了还没有收到，请帮忙查一下。",
    "Hello, I still have not received any answer about this. Could you check again?",
    "我已经按照你们说的操作了，但是问题依旧。\nI did what you suggested but nothing changed.",
    "Please call me back on my mobile, I am available after 6 pm.",
    "附件是购买凭证的照片。Attached is a photo of the receipt.",
    "这是第三次联系你们了，希望今天能解决。",
);
my @staff_lines = (
    "您好，感谢您的耐心等待。我们已经联系了物流公司，预计两天内送达。",
    "Thank you for contacting us. I have escalated this to the after-sales team.",
    "您好，退款已经提交，3-5个工作日内原路退回。\nThe refund has been issued and should arrive in 3-5 working days.",
    "Could you please send us the order number and a photo of the product?",
    "已为您修改，请确认。 The change has been made, please confirm.",
);
my @notes = (
    "内部备注：客户情绪激动，优先处理。",
    "Internal note: checked the warehouse system, parcel is stuck in customs.",
    "已与二线确认，等待供应商回复。 Waiting for the supplier.",
    "VIP customer, offer a voucher if the delay exceeds 7 days.",
);
my @status_mix = ((('new') x 20), (('open') x 35), (('stalled') x 10), (('resolved') x 30), (('rejected') x 5));

sub mime {
    my ($text, $subject) = @_;
    return MIME::Entity->build(
        Type     => 'text/plain',
        Charset  => 'UTF-8',
        Encoding => 'quoted-printable',
        # Raw UTF-8 like RT's own web UI (MakeMIMEEntity): RT stores the header as given, so
        # MIME-words here would come back encoded in REST2's attachment Subject.
        Subject  => Encode::encode('UTF-8', $subject // ''),
        Data     => [ Encode::encode('UTF-8', $text) ],
    );
}

my %current_users;
sub as_user {
    my ($user) = @_;
    return $current_users{ $user->id } //= do {
        my $cu = RT::CurrentUser->new;
        $cu->Load($user->id);
        $cu;
    };
}

sub ticket_as {
    my ($user, $id) = @_;
    my $ticket = RT::Ticket->new(as_user($user));
    $ticket->Load($id);
    return $ticket;
}

my (@ticket_ids, %status_count, %queue_count);
my ($correspond_staff, $correspond_customer, $comments) = (0, 0, 0);
my @date_plan;    # [ticket id, status] to spread dates over afterwards

$RT::Handle->BeginTransaction();
for my $n (1 .. $opt{tickets}) {
    my $queue = $queues[ int(rand(100)) < 55 ? 0 : int(rand(100)) < 60 ? 1 : 2 ];
    my $requestor = pick(@requestors);
    my $subject = pick(@subjects);
    $subject = sprintf($subject, 100000 + int(rand(900000))) if $subject =~ /%d/;
    my $status = pick(@status_mix);
    my $owner = $status eq 'new' ? undef : (int(rand(10)) < 8 ? pick('agent1', 'agent2') : undef);

    my $ticket = RT::Ticket->new(as_user($requestor));
    my ($id, undef, $msg) = $ticket->Create(
        Queue     => $queue->id,
        Subject   => $subject,
        Requestor => [ $requestor->EmailAddress ],
        Priority  => int(rand(101)),
        Status    => $status eq 'new' ? 'new' : 'open',
        MIMEObj   => mime(pick(@customer_lines) . "\n\n" . "— " . $requestor->RealName, $subject),
    );
    check("ticket $n", $id, $msg);

    my $system_view = RT::Ticket->new(RT->SystemUser);
    $system_view->Load($id);
    for my $name (qw(Channel Tier)) {
        my $value = $name eq 'Tier' && $queue->Name eq 'VIP' ? 'vip' : pick(@{ $cf_values{$name} });
        check("$name of $id", $system_view->AddCustomFieldValue(
            Field => $cfs{$name}->id, Value => $value, RecordTransaction => 0));
    }

    my $agent = $staff{ $owner // pick('agent1', 'agent2') };
    if ($owner) {
        check("take $id", ticket_as($agent, $id)->Take);
    }
    for my $k (2 .. $opt{messages}) {
        my $kind = $status eq 'new' ? ($k % 2 ? 'note' : 'customer') : qw(staff customer note)[ ($k - 2) % 3 ];
        if ($kind eq 'customer') {
            check("customer reply on $id", ticket_as($requestor, $id)->Correspond(
                MIMEObj => mime(pick(@customer_lines), "Re: $subject")));
            $correspond_customer++;
        }
        elsif ($kind eq 'staff') {
            check("staff reply on $id", ticket_as($agent, $id)->Correspond(
                MIMEObj => mime(pick(@staff_lines) . "\n\n" . $agent->RealName . "\n客服中心 Customer Care", "Re: $subject")));
            $correspond_staff++;
        }
        else {
            check("comment on $id", ticket_as($agent, $id)->Comment(MIMEObj => mime(pick(@notes))));
            $comments++;
        }
    }
    if ($status ne 'new' && $status ne 'open') {
        check("status $status of $id", ticket_as($agent, $id)->SetStatus($status));
    }
    push @ticket_ids, $id;
    push @date_plan, [ $id, $status ];
    $status_count{$status}++;
    $queue_count{ $queue->Name }++;
}
$RT::Handle->Commit();
my $created_in = Time::HiRes::time() - $started;

# --- dates: spread over the last 60 days --------------------------------------------------------

sub iso { return POSIX::strftime('%Y-%m-%d %H:%M:%S', gmtime($_[0])) }

my $now = time();
$dbh = $RT::Handle->dbh;
local $dbh->{RaiseError} = 1;
my $txns = $dbh->prepare(
    "SELECT id FROM Transactions WHERE ObjectType = 'RT::Ticket' AND ObjectId = ? ORDER BY id");
my $set_txn = $dbh->prepare('UPDATE Transactions SET Created = ? WHERE id = ?');
my $set_att = $dbh->prepare('UPDATE Attachments SET Created = ? WHERE TransactionId = ?');
my $set_ticket = $dbh->prepare(
    'UPDATE Tickets SET Created = ?, LastUpdated = ?, Started = ?, Resolved = ?, Told = ? WHERE id = ?');
$dbh->begin_work;
for my $plan (@date_plan) {
    my ($id, $status) = @$plan;
    my $span = 60 * 86400;
    my $at = $now - $span + int(rand($span - 86400));
    my $created = $at;
    $txns->execute($id);
    my @txn_ids = map { $_->[0] } @{ $txns->fetchall_arrayref };
    for my $txn (@txn_ids) {
        $set_txn->execute(iso($at), $txn);
        $set_att->execute(iso($at), $txn);
        $at = ($at + 600 + int(rand(86400)) > $now) ? $at + 1 : $at + 600 + int(rand(86400));
    }
    my $last = $at;
    my $inactive = $status eq 'resolved' || $status eq 'rejected';
    $set_ticket->execute(iso($created), iso($last), $status eq 'new' ? '1970-01-01 00:00:00' : iso($created + 300),
        $inactive ? iso($last) : '1970-01-01 00:00:00', $status eq 'new' ? '1970-01-01 00:00:00' : iso($last), $id);
}
$dbh->commit;

# --- an API token for agent1 --------------------------------------------------------------------

my $token = RT::AuthToken->new(RT->SystemUser);
my ($token_id, $token_msg, $auth_string) = $token->Create(
    Owner => $staff{agent1}->id, Description => 'Agent Desktop tests');
check('auth token', $token_id, $token_msg);

$dbh->do('PRAGMA wal_checkpoint(TRUNCATE)');

# --- summary ------------------------------------------------------------------------------------

my $json = JSON->new->utf8->canonical->pretty;
my $summary = {
    queues => [ map { { id => $_->id + 0, name => $_->Name } } @queues ],
    custom_fields => { map { $_ => $cfs{$_}->id + 0 } keys %cfs },
    custom_field_values => \%cf_values,
    users => { map { $_ => $staff{$_}->id + 0 } keys %staff },
    groups => { Agents => $agents->id + 0, Viewers => $viewers->id + 0 },
    passwords => { agent1 => 'agent1-pass', agent2 => 'agent2-pass', viewer1 => 'viewer1-pass' },
    requestors => [ map { { id => $_->id + 0, name => $_->Name, email => $_->EmailAddress, real_name => $_->RealName } } @requestors ],
    tickets => [ map { $_ + 0 } @ticket_ids ],
    token => $auth_string,
    counts => {
        tickets => scalar(@ticket_ids),
        messages_per_ticket => $opt{messages} + 0,
        staff_replies => $correspond_staff,
        customer_replies => $correspond_customer,
        comments => $comments,
        statuses => \%status_count,
        queues => \%queue_count,
    },
    seed => $opt{seed} + 0,
    seconds => { tickets => sprintf('%.2f', $created_in) + 0, total => sprintf('%.2f', Time::HiRes::time() - $started) + 0 },
};
my $text = $json->encode($summary);
if ($opt{output}) {
    open(my $fh, '>', "$opt{output}.tmp") or die "cannot write $opt{output}: $!\n";
    print $fh $text;
    close $fh or die "cannot write $opt{output}: $!\n";
    rename("$opt{output}.tmp", $opt{output}) or die "cannot write $opt{output}: $!\n";
}
printf "seeded %d tickets x %d messages in %.2f s; token %s\n",
    scalar(@ticket_ids), $opt{messages}, Time::HiRes::time() - $started, $auth_string;
