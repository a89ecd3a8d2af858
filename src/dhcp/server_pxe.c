/*
 * The DHCP server's PXE decisions (pure, like server.c): boot information
 * in our own replies, proxy offers ([pxe] mode = proxy) and the answers of
 * the boot server port (4011).  What each client is told is pxe_answer's
 * (src/pxe/answer.c); this file finds who the client is and what to reply.
 */
#include <string.h>

#include "pxeha/config.h"
#include "pxeha/dhcp.h"
#include "pxeha/dhcp_server.h"
#include "pxeha/pxe.h"
#include "server_int.h"

/* The PXE answer for this request (pxe.h): 1 when it filled the boot
 * fields, 0 when it did not, -1 when the subnet answers only known
 * clients and this boot client is not one (it then gets no boot file at
 * all, not even the subnet's). */
int
srv_pxe_fields(const struct req *r, enum pxe_phase phase, struct dhcp_reply *rep)
{
	static const uint8_t zero[PXE_GUID_LEN];
	const struct cfg_host *h = r->cl.host;
	const struct cfg_boot *b;
	struct pxe_client pc;
	struct pxe_req q;

	pxe_classify(r->m, &pc);
	/* A machine prestaged by its GUID (option 97; all zeros is nobody). */
	if (h == NULL && pc.has_guid && memcmp(pc.guid, zero, sizeof(zero)))
		h = srv_rfind(r->srv, r->srv->by_guid, r->srv->nguid, pc.guid,
		    PXE_GUID_LEN);
	memset(&q, 0, sizeof(q));
	q.cfg = r->srv->cfg;
	q.sn = r->sn;
	q.pc = &pc;
	q.host = h != NULL ? h->name : NULL;
	q.known = h != NULL;
	if (pc.cls != PXE_CLASS_NONE && h == NULL &&
	    r->sn->pxe_answer == CFG_PXE_ANSWER_KNOWN)
		return (-1);
	q.phase = phase;
	q.server = r->server_id;
	if ((b = pxe_answer(&q, rep)) == NULL)
		return (0);
	r->res->pxe_phase = (int)phase + 1;
	r->res->pxe_arch = (int)pc.arch;
	r->res->pxe_rule = (int)(b - r->srv->cfg->boots);
	r->res->pxe_ipxe = (pc.ipxe & (PXE_IPXE_UCLASS | PXE_IPXE_ENCAP)) != 0;
	return (1);
}

/*
 * [pxe] mode = proxy: another server hands out addresses; a PXE or HTTP
 * boot client's DISCOVER gets a proxy offer (no address, boot
 * information only); everything else is left to that server.
 */
void
srv_on_proxy(struct req *r)
{
	struct dhcp_reply rep;

	if (r->m->type != DHCPDISCOVER) {
		r->res->drop = DHCP_DROP_NOT_FOR_US;
		return;
	}
	memset(&rep, 0, sizeof(rep));
	rep.type = DHCPOFFER;
	dhcp_optset_init(&rep.opts);
	if (srv_pxe_fields(r, PXE_PHASE_PROXY, &rep) != 1) {
		r->res->drop = DHCP_DROP_NO_BOOT;
		return;
	}
	srv_send_reply(r, &rep);
}

/* A boot-server request on port 4011 (PXE 2.1): the file for the item
 * asked for, in an ACK that leaves the client's address as it is. */
void
srv_on_bootsrv(struct req *r)
{
	struct dhcp_reply rep;

	if (r->m->type != DHCPREQUEST && r->m->type != DHCPINFORM) {
		r->res->drop = DHCP_DROP_BAD_TYPE;
		return;
	}
	memset(&rep, 0, sizeof(rep));
	rep.type = DHCPACK;
	rep.ciaddr = r->m->ciaddr;
	dhcp_optset_init(&rep.opts);
	if (r->srv->cfg->pxe.mode == CFG_PXE_OFF ||
	    srv_pxe_fields(r, PXE_PHASE_BOOTSRV, &rep) != 1) {
		r->res->drop = DHCP_DROP_NO_BOOT;
		return;
	}
	srv_send_reply(r, &rep);
}
