<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=false; section>
<!-- template: conduit-organization-connect.ftl (Conduit) -->
    <#if section = "header">
        ${msg("conduitOrgConnectTitle", conduitProvider, conduitOrganization)}
    <#elseif section = "form">
        <div id="conduit-org-connect-summary" class="${properties.kcContentWrapperClass!}">
            <p>${msg("conduitOrgConnectIntro")}</p>
            <dl>
                <dt>${msg("conduitOrgConnectOrganization")}</dt>
                <dd id="conduit-organization">${conduitOrganization}</dd>
                <dt>${msg("conduitOrgConnectProvider")}</dt>
                <dd id="conduit-provider">${conduitProvider}</dd>
                <dt>${msg("conduitOrgConnectAccount")}</dt>
                <dd id="conduit-account">${conduitAccount}</dd>
                <dt>${msg("conduitOrgConnectReplaces")}</dt>
                <dd id="conduit-replaces"><#if conduitReplaces?has_content>${conduitReplaces}<#else>${msg("conduitOrgConnectNone")}</#if></dd>
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
