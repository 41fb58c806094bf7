"""Seed work authorizations and technician visits (support_work_authorization).

For a share of the open tickets of seeded customers: the customer's first
contact becomes its authorized contact (the second one its backup), the agent
prepares an estimate by time type, the quotation is sent and accepted by the
contact (as the portal does), and one or two visits are recorded: travel and
on-site time, rounded like the meter does, as timesheet lines by time type.
Some tickets run over the estimate and wait for a re-authorization.
"""

import datetime
import time

from factory.random import randgen

TIME_TYPES = (
    "support_work_authorization.time_type_travel",
    "support_work_authorization.time_type_onsite",
    "support_work_authorization.time_type_workshop",
    "support_work_authorization.time_type_remote",
)


class AuthorizationSeeder:
    def __init__(self, seeder, share=0.05, limit=60):
        self.seeder = seeder
        self.env = seeder.env
        self.share = share
        self.limit = limit

    def field_project(self):
        env = self.env
        project = env["project.project"].search(
            [("name", "=", "Field service"), ("allow_timesheets", "=", True)], limit=1
        )
        if not project:
            project = env["project.project"].create(
                {"name": "Field service", "allow_timesheets": True}
            )
        if not env.user.employee_id:
            env["hr.employee"].create({"name": env.user.name, "user_id": env.user.id})
        return project

    def tickets(self, customer_ids):
        tickets = self.env["helpdesk.ticket"].search(
            [("partner_id.commercial_partner_id", "in", customer_ids)],
            order="id",
        )
        count = min(self.limit, max(1, int(len(tickets) * self.share)))
        return tickets[:count] if tickets else tickets

    def authorize_contacts(self, tickets, contacts):
        by_customer = {}
        for contact_id, customer_id in contacts:
            by_customer.setdefault(customer_id, []).append(contact_id)
        for customer in tickets.partner_id.commercial_partner_id:
            people = by_customer.get(customer.id) or []
            if customer.work_auth_contact_id or not people:
                continue
            customer.write(
                {
                    "work_auth_contact_id": people[0],
                    "work_auth_backup_id": people[1] if len(people) > 1 else False,
                }
            )

    def visit(self, ticket, start, onsite_minutes):
        """One visit: travel, then time on site, logged like the meter."""
        travel = datetime.timedelta(minutes=randgen.randint(15, 75))
        onsite = datetime.timedelta(minutes=onsite_minutes)
        arrived, left = start + travel, start + travel + onsite
        lines = ticket._work_meter_log("travel", start, arrived)
        lines |= ticket._work_meter_log("onsite", arrived, left, minimum=True)
        self.env["support.work.visit"].create(
            {
                "ticket_id": ticket.id,
                "departed_at": start,
                "arrived_at": arrived,
                "left_at": left,
                "travel_line_id": lines[0].id,
                "onsite_line_id": lines[1].id,
            }
        )
        return lines

    def run(self, customer_ids, contacts):
        seeder = self.seeder
        seeder.reseed("authorizations")
        started = time.perf_counter()
        env = self.env
        tickets = self.tickets(customer_ids)
        self.authorize_contacts(tickets, contacts)
        project = self.field_project()
        time_types = [env.ref(xmlid) for xmlid in TIME_TYPES]
        Authorization = env["support.work.authorization"]
        rows = 0
        with seeder.bar(len(tickets), "authorizations") as bar:
            for ticket in tickets:
                contact = ticket.partner_id.commercial_partner_id.work_auth_contact_id
                if not contact:
                    bar.update(1)
                    continue
                ticket.project_id = project
                hours = {
                    time_types[0]: randgen.choice([0.5, 1.0, 1.5]),
                    time_types[1]: randgen.choice([1.0, 2.0, 3.0, 4.0]),
                }
                if randgen.random() < 0.3:
                    hours[time_types[2]] = randgen.choice([1.0, 2.0])
                authorization = Authorization.create(
                    {
                        "ticket_id": ticket.id,
                        "line_ids": [
                            (0, 0, {"time_type_id": tt.id, "quantity": qty})
                            for tt, qty in hours.items()
                        ],
                    }
                )
                authorization.action_send()
                rows += 1
                if randgen.random() < 0.8:
                    # accepted in the portal by the authorized contact
                    authorization.order_id.with_context(
                        work_auth_acceptor_id=contact.id
                    ).sudo().action_confirm()
                    start = datetime.datetime.now().replace(
                        microsecond=0
                    ) - datetime.timedelta(days=randgen.randint(1, 20), hours=3)
                    visits = randgen.choice([1, 1, 2])
                    # most work stays near the estimate; some runs over
                    onsite = hours[time_types[1]] * 60 * randgen.uniform(0.5, 1.4)
                    for _visit in range(visits):
                        self.visit(ticket, start, max(10, int(onsite / visits)))
                        rows += 3
                        start += datetime.timedelta(days=1)
                env.flush_all()
                if seeder.commit:
                    env.cr.commit()
                bar.update(1)
        seeder.record("authorizations", rows, time.perf_counter() - started)


def seed_authorizations(seeder):
    """The ``after_tickets`` part for ``Seeder.extra_parts``."""
    return AuthorizationSeeder(seeder).run
