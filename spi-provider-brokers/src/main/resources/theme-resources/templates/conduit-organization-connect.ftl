<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=false; section>
<!-- template: conduit-organization-connect.ftl (Conduit) -->
    <#if section = "header">
        ${msg("conduitOrgConnectTitle", conduitProvider, conduitOrganization)}
    <#elseif section = "form">
        <div id="conduit-org-connect-summary" class="${properties.kcContentWrapperClass!}">
            <p>${msg("conduitOrgConnectIntro")}</p>
            <dl class="pf-v5-c-description-list pf-m-horizontal pf-m-compact">
                <div class="pf-v5-c-description-list__group">
                    <dt class="pf-v5-c-description-list__term">${msg("conduitOrgConnectOrganization")}</dt>
                    <dd class="pf-v5-c-description-list__description" id="conduit-organization">${conduitOrganization}</dd>
                </div>
                <div class="pf-v5-c-description-list__group">
                    <dt class="pf-v5-c-description-list__term">${msg("conduitOrgConnectProvider")}</dt>
                    <dd class="pf-v5-c-description-list__description" id="conduit-provider">${conduitProvider}</dd>
                </div>
                <div class="pf-v5-c-description-list__group">
                    <dt class="pf-v5-c-description-list__term">${msg("conduitOrgConnectAccount")}</dt>
                    <dd class="pf-v5-c-description-list__description" id="conduit-account">${conduitAccount}</dd>
                </div>
                <div class="pf-v5-c-description-list__group">
                    <dt class="pf-v5-c-description-list__term">${msg("conduitOrgConnectReplaces")}</dt>
                    <dd class="pf-v5-c-description-list__description" id="conduit-replaces"><#if conduitReplaces?has_content>${conduitReplaces}<#else>${msg("conduitOrgConnectNone")}</#if></dd>
                </div>
            </dl>
        </div>
        <form id="conduit-org-connect" class="${properties.kcFormClass!}" action="${conduitAction}" method="post">
            <input type="hidden" name="${conduitTokenField}" value="${conduitToken}">
            <div class="${properties.kcFormGroupClass!}">
                <button type="submit" id="conduit-confirm" name="decision" value="confirm"
                        class="${properties.kcButtonPrimaryClass!} ${properties.kcButtonBlockClass!}">${msg("conduitOrgConnectConfirm")}</button>
                <button type="submit" id="conduit-cancel" name="decision" value="cancel"
                        class="${properties.kcButtonSecondaryClass!} ${properties.kcButtonBlockClass!}">${msg("doCancel")}</button>
            </div>
        </form>
    </#if>
</@layout.registrationLayout>
