"""Generated from Intuit's XSDs (``specs/qbo``) by ``tests/contract_checks/qbo_fields.py``: do not edit.

Every property each complex type reachable from the entities the sandbox accepts may carry in JSON: child
elements, XML attributes (``domain``, ``sparse``, ``status``; ``name`` and ``type`` beside a reference's
``value``). A property written ``Name:Type`` holds an object (or array of objects) of that type, ``Name:date``
an ``xs:date``; ``*`` means the type takes anything (``xs:any``). :mod:`.strict` reads it.
"""

from __future__ import annotations

#: The entities the sandbox accepts a body for.
ROOTS = tuple(
    "Customer Vendor Item Account PaymentMethod Invoice CreditMemo Bill VendorCredit Payment BillPayment".split())

TYPES: dict[str, str] = {
    "Account": (
        "AccountAlias AccountEx:IntuitAnyType AccountPurposes:ReferenceType AccountSubType AccountType AcctNum "
        "AcctNumExtn Active AttachableRef:AttachableRef BankNum Classification CurrencyRef:ReferenceType "
        "CurrentBalance CurrentBalanceWithSubAccounts CustomField:CustomField Description FIName "
        "FullyQualifiedName Id JournalCodeRef:ReferenceType MetaData:ModificationMetaData Name "
        "OnlineBankingEnabled OpeningBalance OpeningBalanceDate:date ParentRef:ReferenceType SubAccount SyncToken "
        "TaxAccount TaxCodeRef:ReferenceType TxnLocationType domain sparse status"
    ),
    "AccountBasedExpenseLineDetail": (
        "AccountRef:ReferenceType BillableStatus ClassRef:ReferenceType CustomerRef:ReferenceType "
        "ExpenseDetailLineDetailEx:IntuitAnyType MarkupInfo:MarkupInfo TaxAmount TaxCodeRef:ReferenceType "
        "TaxInclusiveAmt"
    ),
    "AttachableRef": (
        "AttachableRefEx:IntuitAnyType CustomField:CustomField EntityRef:ReferenceType IncludeOnSend LineInfo"
    ),
    "Bill": (
        "APAccountRef:ReferenceType AttachableRef:AttachableRef Balance BillEmail:EmailAddress "
        "BillEx:IntuitAnyType CurrencyRef:ReferenceType CustomField:CustomField DepartmentRef:ReferenceType "
        "DocNumber DueDate:date ExchangeRate GlobalTaxCalculation HomeBalance HomeTotalCostAmount Id "
        "IncludeInAnnualTPAR LessCIS Line:Line LinkedTxn:LinkedTxn Memo MetaData:ModificationMetaData "
        "PayerRef:ReferenceType PrivateNote ProjectRef:ReferenceType RecurDataRef:ReferenceType "
        "RecurringInfo:RecurringInfo RemitToAddr:PhysicalAddress ReplyEmail:EmailAddress "
        "SalesTermRef:ReferenceType ShipAddr:PhysicalAddress SyncToken Tag:Tag TaxFormNum TaxFormType TotalAmt "
        "TotalCostAmount TransactionLocationType TxnApprovalInfo:TxnApprovalInfo TxnDate:date TxnSource TxnStatus "
        "TxnTaxDetail:TxnTaxDetail VendorAddr:PhysicalAddress VendorRef:ReferenceType domain sparse status"
    ),
    "BillPayment": (
        "APAccountRef:ReferenceType AttachableRef:AttachableRef BillPaymentEx:IntuitAnyType "
        "CheckPayment:BillPaymentCheck CreditCardPayment:BillPaymentCreditCard CurrencyRef:ReferenceType "
        "CustomField:CustomField DepartmentRef:ReferenceType DocNumber ExchangeRate HomeTotalCostAmount Id "
        "Line:Line LinkedTxn:LinkedTxn MetaData:ModificationMetaData PayType PrivateNote ProjectRef:ReferenceType "
        "RecurDataRef:ReferenceType RecurringInfo:RecurringInfo SyncToken Tag:Tag TaxFormNum TaxFormType TotalAmt "
        "TotalCostAmount TransactionLocationType TxnApprovalInfo:TxnApprovalInfo TxnDate:date TxnSource TxnStatus "
        "TxnTaxDetail:TxnTaxDetail VendorAddr:PhysicalAddress VendorRef:ReferenceType domain sparse status"
    ),
    "BillPaymentCheck": (
        "BankAccountRef:ReferenceType BillPaymentCheckEx:IntuitAnyType CheckDetail:CheckPayment "
        "PayeeAddr:PhysicalAddress PrintStatus"
    ),
    "BillPaymentCreditCard": (
        "BillPaymentCreditCardEx:IntuitAnyType CCAccountRef:ReferenceType CCDetail:CreditCardPayment"
    ),
    "CheckPayment": "AcctNum BankName CheckNum CheckPaymentEx:IntuitAnyType NameOnAcct Status",
    "ContactInfo": (
        "Email:EmailAddress OtherContact:GenericContactType Telephone:TelephoneNumber Type WebSite:WebSiteAddress"
    ),
    "ConvenienceFeeDetail": (
        "AttachableRef:AttachableRef ConvenienceFeePercent ConvenienceFeeType CustomField:CustomField Id "
        "MetaData:ModificationMetaData SyncToken domain sparse status"
    ),
    "CreditCardPayment": "CreditChargeInfo:CreditChargeInfo CreditChargeResponse:CreditChargeResponse",
    "CreditChargeInfo": (
        "Amount BillAddrStreet CCTxnMode CCTxnType CcExpiryMonth CcExpiryYear CommercialCardCode "
        "CreditCardChargeInfoEx:IntuitAnyType NameOnAcct Number PostalCode PrevCCTransId ProcessPayment Type"
    ),
    "CreditChargeResponse": (
        "AuthCode AvsStreet AvsZip CCProcessor CCTransId CardSecurityCodeMatch ClientTransID "
        "CreditChargeResponseEx:IntuitAnyType MerchantAcctNum PaymentGroupingCode ReconBatchId ResultCode "
        "ResultMsg SecurityCode Status TxnAuthorizationStamp TxnAuthorizationTime"
    ),
    "CreditMemo": (
        "ARAccountRef:ReferenceType ApplyTaxAfterDiscount AttachableRef:AttachableRef AutoDocNumber Balance "
        "BillAddr:PhysicalAddress BillEmail:EmailAddress BillEmailBcc:EmailAddress BillEmailCc:EmailAddress "
        "CheckPayment:CheckPayment ClassRef:ReferenceType CreditCardPayment:CreditCardPayment "
        "CreditMemoEx:IntuitAnyType CurrencyRef:ReferenceType CustomField:CustomField CustomerMemo:MemoRef "
        "CustomerRef:ReferenceType DeliveryInfo:TransactionDeliveryInfo DepartmentRef:ReferenceType "
        "DepositToAccountRef:ReferenceType DiscountAmt DiscountRate DocNumber DueDate:date EmailStatus "
        "ExchangeRate FOB FinanceCharge FreeFormAddress GlobalTaxCalculation GovtTxnRefIdentifier HomeBalance "
        "HomeTotalAmt HomeTotalCostAmount Id InvoiceRef:ReferenceType Line:Line LinkedTxn:LinkedTxn "
        "MetaData:ModificationMetaData PONumber PaymentMethodRef:ReferenceType PaymentRefNum PaymentType "
        "PrintStatus PrivateNote ProjectRef:ReferenceType RecurDataRef:ReferenceType RecurringInfo:RecurringInfo "
        "RemainingCredit RemitToRef:ReferenceType SalesRepRef:ReferenceType SalesTermRef:ReferenceType "
        "ShipAddr:PhysicalAddress ShipDate:date ShipFromAddr:PhysicalAddress ShipMethodRef:ReferenceType "
        "ShippingTaxIncludedInTotalTax SyncToken Tag:Tag TaxExemptionRef:ReferenceType TaxFormNum TaxFormType "
        "TemplateRef:ReferenceType TotalAmt TotalCostAmount TrackingNum TransactionLocationType "
        "TxnApprovalInfo:TxnApprovalInfo TxnDate:date TxnSource TxnStatus TxnTaxDetail:TxnTaxDetail domain sparse "
        "status"
    ),
    "CustomField": "BooleanValue DateValue:date DefinitionId Name NumberValue StringValue Type",
    "Customer": (
        "ARAccountRef:ReferenceType AcctNum Active AltContactName AlternatePhone:TelephoneNumber "
        "AttachableRef:AttachableRef Balance BalanceWithJobs BillAddr:PhysicalAddress BillWithParent "
        "BusinessNumber CCDetail:CreditChargeInfo ClientCompanyId ClientEntityId CompanyName ContactName "
        "CreditLimit CurrencyRef:ReferenceType CustomField:CustomField CustomerEx:IntuitAnyType "
        "CustomerTypeRef:ReferenceType DefaultTaxCodeRef:ReferenceType DisplayName FamilyName Fax:TelephoneNumber "
        "FullyQualifiedName GSTIN GSTRegistrationType GivenName Id IntuitId IsCISContractor IsProject Job "
        "JobInfo:JobInfo Level MetaData:ModificationMetaData MiddleName Mobile:TelephoneNumber Notes "
        "OpenBalanceDate:date Organization OtherAddr:PhysicalAddress OtherContactInfo:ContactInfo OverDueBalance "
        "ParentRef:ReferenceType PaymentMethodRef:ReferenceType PreferredDeliveryMethod "
        "PriceLevelRef:ReferenceType PrimaryEmailAddr:EmailAddress PrimaryPhone:TelephoneNumber "
        "PrimaryTaxIdentifier PrintOnCheckName ResaleNum RootCustomerRef:ReferenceType SalesRepRef:ReferenceType "
        "SalesTermRef:ReferenceType SecondaryTaxIdentifier ShipAddr:PhysicalAddress Source Suffix SyncToken "
        "TDSEnabled TaxExemptionReasonId TaxGroupCodeRef:ReferenceType TaxRateRef:ReferenceType TaxRegime Taxable "
        "Title TotalExpense TotalRevenue UserId V4IDPseudonym WebAddr:WebSiteAddress domain sparse status"
    ),
    "DepositLineDetail": (
        "AccountRef:ReferenceType CheckNum ClassRef:ReferenceType DepositLineDetailEx:IntuitAnyType "
        "Entity:ReferenceType PaymentMethodRef:ReferenceType TaxApplicableOn TaxCodeRef:ReferenceType TxnType"
    ),
    "DescriptionLineDetail": "DescriptionLineDetailEx:IntuitAnyType ServiceDate:date TaxCodeRef:ReferenceType",
    "DiscountLineDetail": (
        "ClassRef:ReferenceType DiscountAccountRef:ReferenceType DiscountLineDetailEx:IntuitAnyType "
        "DiscountPercent DiscountRef:ReferenceType PercentBased ServiceDate:date TaxCodeRef:ReferenceType"
    ),
    "DiscountOverride": "DiscountAccountRef:ReferenceType DiscountPercent DiscountRef:ReferenceType PercentBased",
    "EmailAddress": "Address Default Id Tag",
    "EntityTypeRef": "EntityRef:ReferenceType Type",
    "GenericContactType": "Default Id Name Tag Type Value",
    "GroupLineDetail": (
        "GroupItemRef:ReferenceType GroupLineDetailEx:IntuitAnyType Line:Line Quantity ServiceDate:date "
        "UOMRef:UOMRef"
    ),
    "IntuitAnyType": "*",
    "Invoice": (
        "ARAccountRef:ReferenceType AllowIPNPayment AllowOnlineACHPayment AllowOnlineCreditCardPayment "
        "AllowOnlinePayPalPayment AllowOnlinePayment ApplyTaxAfterDiscount AttachableRef:AttachableRef "
        "AutoDocNumber AutoPayEligible Balance BillAddr:PhysicalAddress BillEmail:EmailAddress "
        "BillEmailBcc:EmailAddress BillEmailCc:EmailAddress CfdiUse CheckPayment:CheckPayment "
        "ClassRef:ReferenceType ConvenienceFeeDetail:ConvenienceFeeDetail CreditCardPayment:CreditCardPayment "
        "CurrencyRef:ReferenceType CustomField:CustomField CustomerMemo:MemoRef CustomerRef:ReferenceType "
        "DeliveryInfo:TransactionDeliveryInfo DepartmentRef:ReferenceType Deposit "
        "DepositToAccountRef:ReferenceType DiscountAmt DiscountRate DocNumber DueDate:date ECloudStatusTimeStamp "
        "EInvoiceStatus EmailStatus ExchangeRate Exportation FOB FinanceCharge FinancingProductType "
        "FreeFormAddress GlobalInfo:MXGlobalInfo GlobalTaxCalculation GovtTxnRefIdentifier GratuityEnabled "
        "HomeBalance HomeTotalAmt HomeTotalCostAmount Id InvoiceEx:IntuitAnyType InvoiceLink "
        "InvoiceLinkExpiryDate:date InvoiceLinkSecurityCode LessCIS Line:Line LinkedTxn:LinkedTxn "
        "MetaData:ModificationMetaData PONumber PaymentDetailsMessage PaymentMethodRef:ReferenceType "
        "PaymentRefNum PaymentType PrintStatus PrivateNote ProjectRef:ReferenceType RecurDataRef:ReferenceType "
        "RecurringInfo:RecurringInfo RemitToRef:ReferenceType SalesRepRef:ReferenceType "
        "SalesTermRef:ReferenceType SchedulePayEligible ScheduledPaymentId ShipAddr:PhysicalAddress ShipDate:date "
        "ShipFromAddr:PhysicalAddress ShipMethodRef:ReferenceType ShippingTaxIncludedInTotalTax "
        "SubscriptionPaymentsSetting SyncToken Tag:Tag TaxExemptionRef:ReferenceType TaxFormNum TaxFormType "
        "TemplateRef:ReferenceType TotalAmt TotalCostAmount TrackingNum TransactionLocationType "
        "TxnApprovalInfo:TxnApprovalInfo TxnDate:date TxnSource TxnStatus TxnTaxDetail:TxnTaxDetail callToAction "
        "domain invoiceStatus invoiceStatusLog:StatusInfo sparse status"
    ),
    "Item": (
        "AbatementRate Active AssetAccountRef:ReferenceType AttachableRef:AttachableRef AvgCost BuildPoint "
        "COGSAccountRef:ReferenceType ClassRef:ReferenceType CustomField:CustomField DeferredRevenue "
        "DepositToAccountRef:ReferenceType Description ExpenseAccountRef:ReferenceType FullyQualifiedName Id "
        "IncomeAccountRef:ReferenceType InvStartDate:date ItemAssemblyDetail:ItemAssemblyDetail ItemCategoryType "
        "ItemEx:IntuitAnyType ItemGroupDetail:ItemGroupDetail Level ManPartNum MetaData:ModificationMetaData Name "
        "ParentRef:ReferenceType PaymentMethodRef:ReferenceType PercentBased PrefVendorRef:ReferenceType "
        "PrintGroupedItems PurchaseCost PurchaseDesc PurchaseTaxCodeRef:ReferenceType PurchaseTaxIncluded "
        "QtyOnHand QtyOnPurchaseOrder QtyOnSalesOrder RatePercent ReorderPoint ReverseChargeRate "
        "SalesTaxCodeRef:ReferenceType SalesTaxIncluded ServiceType Sku Source SpecialItem SpecialItemType "
        "SubItem SyncToken TaxClassificationRef:ReferenceType Taxable TrackQtyOnHand Type UOMSetRef:ReferenceType "
        "UQCDisplayText UQCId UnitPrice domain sparse status"
    ),
    "ItemAdjustmentLineDetail": "ClassRef:ReferenceType ItemRef:ReferenceType NewQty QtyDiff SalesPrice",
    "ItemAssemblyDetail": "ItemAssemblyLine:ItemComponentLine",
    "ItemBasedExpenseLineDetail": (
        "BillableStatus ClassRef:ReferenceType CustomerRef:ReferenceType InventorySiteRef:ReferenceType "
        "ItemAccountRef:ReferenceType ItemBasedExpenseLineDetailEx:IntuitAnyType ItemRef:ReferenceType "
        "MarkupInfo:MarkupInfo PriceLevelRef:ReferenceType Qty RatePercent TaxClassificationRef:ReferenceType "
        "TaxCodeRef:ReferenceType TaxInclusiveAmt UOMRef:UOMRef UnitCostPrice UnitPrice"
    ),
    "ItemComponentLine": "ItemRef:ReferenceType Qty UOMRef:UOMRef",
    "ItemGroupDetail": "ItemGroupLine:ItemComponentLine",
    "ItemReceiptLineDetail": "ItemReceiptLineDetailEx:IntuitAnyType",
    "JobInfo": "Description EndDate:date JobTypeRef:ReferenceType ProjectedEndDate:date StartDate:date Status",
    "JournalEntryLineDetail": (
        "AccountRef:ReferenceType BillableStatus ClassRef:ReferenceType DepartmentRef:ReferenceType "
        "Entity:EntityTypeRef JournalCodeRef:ReferenceType JournalEntryLineDetailEx:IntuitAnyType PostingType "
        "TaxAmount TaxApplicableOn TaxCodeRef:ReferenceType TaxInclusiveAmt TaxRateRef:ReferenceType"
    ),
    "Line": (
        "AccountBasedExpenseLineDetail:AccountBasedExpenseLineDetail Amount CostAmount CustomField:CustomField "
        "DepositLineDetail:DepositLineDetail Description DescriptionLineDetail:DescriptionLineDetail DetailType "
        "DiscountLineDetail:DiscountLineDetail GroupLineDetail:GroupLineDetail HomeCostAmount Id "
        "ItemAdjustmentLineDetail:ItemAdjustmentLineDetail ItemBasedExpenseLineDetail:ItemBasedExpenseLineDetail "
        "ItemReceiptLineDetail:ItemReceiptLineDetail JournalEntryLineDetail:JournalEntryLineDetail "
        "LineEx:IntuitAnyType LineNum LinkedTxn:LinkedTxn PaymentLineDetail:PaymentLineDetail "
        "ProjectRef:ReferenceType PurchaseOrderItemLineDetail:PurchaseOrderItemLineDetail Received "
        "ReimburseLineDetail:ReimburseLineDetail SalesItemLineDetail:SalesItemLineDetail "
        "SalesOrderItemLineDetail:SalesOrderItemLineDetail SubTotalLineDetail:SubTotalLineDetail "
        "TDSLineDetail:TDSLineDetail TaxLineDetail:TaxLineDetail"
    ),
    "LinkedTxn": "TxnId TxnLineId TxnType",
    "MXGlobalInfo": "Month Periodicity Year",
    "MarkupInfo": "MarkUpIncomeAccountRef:ReferenceType Percent PercentBased PriceLevelRef:ReferenceType Value",
    "MemoRef": "id value",
    "ModificationMetaData": (
        "CreateTime CreatedByRef:ReferenceType LastChangedInQB LastModifiedByRef:ReferenceType LastUpdatedTime "
        "Synchronized"
    ),
    "Payment": (
        "ARAccountRef:ReferenceType AttachableRef:AttachableRef CheckPayment:CheckPayment "
        "CreditCardPayment:CreditCardPayment CurrencyRef:ReferenceType CustomField:CustomField "
        "CustomerRef:ReferenceType DepartmentRef:ReferenceType DepositToAccountRef:ReferenceType DocNumber "
        "ExchangeRate HomeTotalCostAmount Id Line:Line LinkedTxn:LinkedTxn MetaData:ModificationMetaData "
        "PaymentEx:IntuitAnyType PaymentMethodRef:ReferenceType PaymentRefNum PaymentType PrivateNote "
        "ProcessPayment ProjectRef:ReferenceType RecurDataRef:ReferenceType RecurringInfo:RecurringInfo "
        "RemitToRef:ReferenceType SyncToken Tag:Tag TaxFormNum TaxFormType TotalAmt TotalCostAmount "
        "TransactionLocationType TxnApprovalInfo:TxnApprovalInfo TxnDate:date TxnSource TxnStatus "
        "TxnTaxDetail:TxnTaxDetail UnappliedAmt domain sparse status"
    ),
    "PaymentLineDetail": (
        "Balance ClassRef:ReferenceType Discount:DiscountOverride HomeBalance ItemRef:ReferenceType "
        "PaymentLineEx:IntuitAnyType ServiceDate:date"
    ),
    "PaymentMethod": (
        "Active AttachableRef:AttachableRef CustomField:CustomField Id MetaData:ModificationMetaData Name "
        "PaymentMethodEx:IntuitAnyType SyncToken Type domain sparse status"
    ),
    "PhysicalAddress": (
        "City Country CountryCode CountrySubDivisionCode County Id Lat Line1 Line2 Line3 Line4 Line5 Long Note "
        "PostalCode PostalCodeSuffix Tag"
    ),
    "PurchaseOrderItemLineDetail": (
        "ClassRef:ReferenceType DeferredRevenue DiscountAmt DiscountRate InventorySiteRef:ReferenceType "
        "ItemAccountRef:ReferenceType ItemRef:ReferenceType ManPartNum ManuallyClosed MarkupInfo:MarkupInfo "
        "OpenQty PriceLevelRef:ReferenceType PurchaseOrderItemLineDetailEx:IntuitAnyType Qty RatePercent "
        "SalesItemLineDetailEx:IntuitAnyType ServiceDate:date TaxClassificationRef:ReferenceType "
        "TaxCodeRef:ReferenceType TaxInclusiveAmt UOMRef:UOMRef UnitCostPrice UnitPrice"
    ),
    "RecurringInfo": "Active Name RecurType ScheduleInfo:RecurringScheduleInfo",
    "RecurringScheduleInfo": (
        "DayOfMonth DayOfWeek DaysBefore EndDate:date IntervalType MaxOccurrences MonthOfYear NextDate:date "
        "NumInterval PreviousDate:date RemindDays StartDate:date WeekOfMonth"
    ),
    "ReferenceType": "name type value",
    "ReimburseLineDetail": (
        "ClassRef:ReferenceType InventorySiteRef:ReferenceType ItemAccountRef:ReferenceType ItemRef:ReferenceType "
        "MarkupInfo:MarkupInfo PriceLevelRef:ReferenceType Qty RatePercent TaxClassificationRef:ReferenceType "
        "TaxCodeRef:ReferenceType UOMRef:UOMRef UnitCostPrice UnitPrice"
    ),
    "SalesItemLineDetail": (
        "ClassRef:ReferenceType DeferredRevenue DiscountAmt DiscountRate InventorySiteRef:ReferenceType "
        "ItemAccountRef:ReferenceType ItemRef:ReferenceType MarkupInfo:MarkupInfo PriceLevelRef:ReferenceType Qty "
        "RatePercent SalesItemLineDetailEx:IntuitAnyType ServiceDate:date TaxClassificationRef:ReferenceType "
        "TaxCodeRef:ReferenceType TaxInclusiveAmt UOMRef:UOMRef UnitCostPrice UnitPrice"
    ),
    "SalesOrderItemLineDetail": (
        "ClassRef:ReferenceType DeferredRevenue DiscountAmt DiscountRate InventorySiteRef:ReferenceType "
        "ItemAccountRef:ReferenceType ItemRef:ReferenceType ManuallyClosed MarkupInfo:MarkupInfo "
        "PriceLevelRef:ReferenceType Qty RatePercent SalesItemLineDetailEx:IntuitAnyType ServiceDate:date "
        "TaxClassificationRef:ReferenceType TaxCodeRef:ReferenceType TaxInclusiveAmt UOMRef:UOMRef UnitCostPrice "
        "UnitPrice"
    ),
    "StatusInfo": "callToAction status statusDate:date",
    "SubTotalLineDetail": "ItemRef:ReferenceType ServiceDate:date",
    "TDSLineDetail": "TDSAccountRef:ReferenceType TDSLineDetailEx:IntuitAnyType TDSSectionTypeId",
    "Tag": (
        "AttachableRef:AttachableRef CustomField:CustomField Id MetaData:ModificationMetaData Name SyncToken "
        "domain sparse status"
    ),
    "TaxLineDetail": (
        "NetAmountTaxable OverrideDeltaAmount PercentBased ServiceDate:date TaxInclusiveAmount "
        "TaxLineDetailEx:IntuitAnyType TaxPercent TaxRateRef:ReferenceType"
    ),
    "TelephoneNumber": "AreaCode CountryCode Default DeviceType ExchangeCode Extension FreeFormNumber Id Tag",
    "TransactionDeliveryInfo": "DeliveryErrorType DeliveryTime DeliveryType",
    "TxnApprovalInfo": "ApprovalStatus ApprovalStatusDetail LastChangedByUser LastChangedDate",
    "TxnTaxDetail": (
        "DefaultTaxCodeRef:ReferenceType TaxLine:Line TaxReviewStatus TotalTax TxnTaxCodeRef:ReferenceType "
        "UseAutomatedSalesTax"
    ),
    "UOMRef": "UOMSetRef:ReferenceType Unit",
    "Vendor": (
        "APAccountRef:ReferenceType AcctNum Active AltContactName AlternatePhone:TelephoneNumber "
        "AttachableRef:AttachableRef Balance BillAddr:PhysicalAddress BillRate BusinessNumber CISRate CompanyName "
        "ContactName CostRate CreditLimit CurrencyRef:ReferenceType CustomField:CustomField "
        "DefaultTaxCodeRef:ReferenceType DisplayName FamilyName Fax:TelephoneNumber FullyQualifiedName GSTIN "
        "GSTRegistrationType GivenName HasTPAR Id IntuitId IsSubContractor MetaData:ModificationMetaData "
        "MiddleName Mobile:TelephoneNumber Notes OpenBalanceDate:date Organization OtherAddr:PhysicalAddress "
        "OtherContactInfo:ContactInfo ParentRef:ReferenceType PrefillAccountRef:ReferenceType "
        "PrimaryEmailAddr:EmailAddress PrimaryPhone:TelephoneNumber PrintOnCheckName ShipAddr:PhysicalAddress "
        "Source SubcontractorType Suffix SyncToken T4AEligible T5018Eligible TDSEnabled TDSEntityTypeId "
        "TDSOverrideThreshold TDSSectionTypeId TaxCountry TaxIdEffectiveDate:date TaxIdentifier TaxReportingBasis "
        "TermRef:ReferenceType Title UserId V4IDPseudonym Vendor1099 VendorEx:IntuitAnyType "
        "VendorPaymentBankDetail:VendorBankAccountDetail VendorTypeRef:ReferenceType WebAddr:WebSiteAddress "
        "domain sparse status"
    ),
    "VendorBankAccountDetail": "BankAccountName BankAccountNumber BankBranchIdentifier StatementText",
    "VendorCredit": (
        "APAccountRef:ReferenceType AttachableRef:AttachableRef Balance BillEmail:EmailAddress "
        "CurrencyRef:ReferenceType CustomField:CustomField DepartmentRef:ReferenceType DocNumber ExchangeRate "
        "GlobalTaxCalculation HomeTotalCostAmount Id IncludeInAnnualTPAR Line:Line LinkedTxn:LinkedTxn Memo "
        "MetaData:ModificationMetaData PrivateNote ProjectRef:ReferenceType RecurDataRef:ReferenceType "
        "RecurringInfo:RecurringInfo ReplyEmail:EmailAddress SyncToken Tag:Tag TaxFormNum TaxFormType TotalAmt "
        "TotalCostAmount TransactionLocationType TxnApprovalInfo:TxnApprovalInfo TxnDate:date TxnSource TxnStatus "
        "TxnTaxDetail:TxnTaxDetail VendorAddr:PhysicalAddress VendorCreditEx:IntuitAnyType "
        "VendorRef:ReferenceType domain sparse status"
    ),
    "WebSiteAddress": "Default Id Tag URI",
}
